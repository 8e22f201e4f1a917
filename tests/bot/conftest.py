"""Fixtures shared by the channel tests: the WhatsApp webhook bot against the fake Graph API."""

from tests.bot.test_whatsapp import wa

__all__ = ["wa"]
