"""Billing through Stripe: Checkout, the customer portal, webhooks and plan-gated features.

Card data never reaches FailSafe: customers enter it on Stripe's pages (Checkout and the
billing portal) and FailSafe keeps only Stripe's ids, the plan and the subscription status.
"""
