"""What a seeded shop sells and where it delivers: product categories as an Indian marketplace
lists them, each with items, brands and a price band (paise), and delivery cities with their
state and a pincode. Plain data; `dataset` draws from it with the run's seeded generator."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str
    items: tuple[str, ...]
    brands: tuple[str, ...]
    price_paise: tuple[int, int]
    weight: float
    """How much of the catalogue (and of the orders) the category is."""


CATEGORIES: tuple[Category, ...] = (
    Category(
        "mobiles",
        ("Smartphone 5G", "Smartphone 4G", "Feature Phone", "Power Bank", "Charger 33W", "Phone Case"),
        ("Redmi", "Samsung", "Realme", "OnePlus", "Vivo", "Oppo", "Lava", "Nokia"),
        (29_900, 89_999_00),
        0.14,
    ),
    Category(
        "electronics",
        ("Laptop", "Wireless Earbuds", "Smartwatch", "LED TV 43in", "Bluetooth Speaker", "Trimmer", "Router"),
        ("boAt", "Noise", "HP", "Lenovo", "Mi", "Sony", "JBL", "Philips", "TP-Link"),
        (49_900, 1_49_999_00),
        0.12,
    ),
    Category(
        "fashion",
        ("Kurta", "Saree", "Jeans", "T-Shirt", "Sneakers", "Sandals", "Dupatta", "Sherwani"),
        ("Biba", "FabIndia", "Manyavar", "Levis", "Bata", "Puma", "W", "Roadster"),
        (19_900, 15_999_00),
        0.18,
    ),
    Category(
        "grocery",
        ("Basmati Rice 5kg", "Toor Dal 1kg", "Atta 10kg", "Ghee 1L", "Masala Chai 500g", "Biscuits", "Namkeen"),
        ("Tata", "Aashirvaad", "Amul", "Parle", "Haldiram", "Fortune", "India Gate", "MDH"),
        (2_000, 1_999_00),
        0.2,
    ),
    Category(
        "home-kitchen",
        ("Pressure Cooker 5L", "Mixer Grinder", "Non-stick Tawa", "Water Purifier", "Ceiling Fan", "Bedsheet"),
        ("Prestige", "Hawkins", "Bajaj", "Butterfly", "Kent", "Havells", "Pigeon"),
        (29_900, 24_999_00),
        0.12,
    ),
    Category(
        "beauty",
        ("Face Wash", "Hair Oil", "Sunscreen SPF50", "Kajal", "Shampoo", "Moisturiser"),
        ("Himalaya", "Lakme", "Mamaearth", "Dabur", "Biotique", "Nivea"),
        (9_900, 1_499_00),
        0.1,
    ),
    Category(
        "books",
        ("Novel", "Exam Guide", "Cookbook", "Children's Book", "Biography"),
        ("Penguin", "Rupa", "Arihant", "HarperCollins", "Westland"),
        (9_900, 1_299_00),
        0.08,
    ),
    Category(
        "sports-toys",
        ("Cricket Bat", "Yoga Mat", "Football", "Cycle", "Building Blocks", "Carrom Board"),
        ("SG", "Nivia", "Cosco", "Hero", "Funskool", "Decathlon"),
        (19_900, 19_999_00),
        0.06,
    ),
)

CITIES: tuple[tuple[str, str, str, float], ...] = (
    # city, state, pincode, share of orders
    ("Mumbai", "MH", "400001", 0.14),
    ("Delhi", "DL", "110001", 0.14),
    ("Bengaluru", "KA", "560001", 0.12),
    ("Hyderabad", "TG", "500001", 0.08),
    ("Chennai", "TN", "600001", 0.08),
    ("Kolkata", "WB", "700001", 0.07),
    ("Pune", "MH", "411001", 0.07),
    ("Ahmedabad", "GJ", "380001", 0.06),
    ("Jaipur", "RJ", "302001", 0.05),
    ("Lucknow", "UP", "226001", 0.05),
    ("Kochi", "KL", "682001", 0.04),
    ("Indore", "MP", "452001", 0.04),
    ("Patna", "BR", "800001", 0.03),
    ("Guwahati", "AS", "781001", 0.03),
)

FIRST_NAMES = (
    "Asha",
    "Ravi",
    "Priya",
    "Arjun",
    "Meera",
    "Vikram",
    "Ananya",
    "Rahul",
    "Fatima",
    "Karan",
    "Lakshmi",
    "Sanjay",
    "Divya",
    "Imran",
    "Neha",
    "Suresh",
    "Pooja",
    "Aditya",
    "Kavya",
    "Harpreet",
)
LAST_NAMES = (
    "Sharma",
    "Iyer",
    "Reddy",
    "Patel",
    "Nair",
    "Khan",
    "Singh",
    "Das",
    "Gupta",
    "Menon",
    "Joshi",
    "Rao",
    "Banerjee",
    "Kulkarni",
    "Chopra",
)
STREETS = ("MG Road", "Station Road", "Nehru Nagar", "Gandhi Chowk", "Park Street", "Anna Salai", "Linking Road")

PAYMENT_METHODS: tuple[tuple[str, float], ...] = (("UPI", 0.46), ("COD", 0.22), ("CARD", 0.22), ("NETBANKING", 0.10))
"""WALLET is left out: a wallet-paid order needs the process managers to place its hold."""

IFSCS = ("HDFC0001234", "SBIN0000456", "ICIC0007890", "UTIB0000123", "KKBK0000958")
