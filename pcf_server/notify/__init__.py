"""Calls from the PCF to other NFs: delivery of BDT warning notifications to NEFs."""

from pcf_server.notify.delivery import DeliveryPolicy, NotificationSender

__all__ = ["DeliveryPolicy", "NotificationSender"]
