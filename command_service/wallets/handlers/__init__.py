"""The wallets context's command handlers, one per command type."""

from command_service.handling import Command, Handler
from command_service.wallets.commands import (
    CaptureHold,
    CloseWallet,
    ExpireHold,
    FreezeWallet,
    OpenWallet,
    PayFromWallet,
    RefundToWallet,
    TopUpWallet,
    TransferFromWallet,
    UnfreezeWallet,
    UpgradeKyc,
    VoidHold,
)
from command_service.wallets.handlers import lifecycle, money

HANDLERS: dict[type[Command], Handler] = {
    OpenWallet: lifecycle.open_wallet,
    UpgradeKyc: lifecycle.upgrade_kyc,
    FreezeWallet: lifecycle.freeze_wallet,
    UnfreezeWallet: lifecycle.unfreeze_wallet,
    CloseWallet: lifecycle.close_wallet,
    TopUpWallet: money.top_up,
    PayFromWallet: money.pay,
    CaptureHold: money.capture,
    VoidHold: money.void,
    ExpireHold: money.expire,
    TransferFromWallet: money.transfer,
    RefundToWallet: money.refund,
}

__all__ = ["HANDLERS"]
