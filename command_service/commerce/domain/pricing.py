"""GST-style pricing, computed server-side from catalogue prices in integer paise."""

GST_RATE_PERCENT = {
    "books": 0,
    "grocery": 5,
    "apparel": 12,
    "electronics": 18,
}
DEFAULT_GST_RATE_PERCENT = 18


def gst_rate(category: str) -> int:
    return GST_RATE_PERCENT.get(category.lower(), DEFAULT_GST_RATE_PERCENT)


def gst_paise(amount_paise: int, rate_percent: int) -> int:
    """GST on an amount, rounded half up to the paisa (integer arithmetic, no floats)."""
    return (amount_paise * rate_percent + 50) // 100
