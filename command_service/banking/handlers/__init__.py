"""The banking context's command handlers, one per command type."""

from command_service.banking.commands import (
    ChargeMinimumBalance,
    CloseAccount,
    Deposit,
    FreezeAccount,
    OpenAccount,
    SettleTransfer,
    Transfer,
    UnfreezeAccount,
    Withdraw,
)
from command_service.banking.handlers import lifecycle, money
from command_service.handling import Command, Handler

HANDLERS: dict[type[Command], Handler] = {
    OpenAccount: lifecycle.open_account,
    FreezeAccount: lifecycle.freeze_account,
    UnfreezeAccount: lifecycle.unfreeze_account,
    CloseAccount: lifecycle.close_account,
    Deposit: money.deposit,
    Withdraw: money.withdraw,
    Transfer: money.transfer,
    SettleTransfer: money.settle,
    ChargeMinimumBalance: money.charge_minimum_balance,
}

__all__ = ["HANDLERS"]
