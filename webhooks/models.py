"""Webhook endpoints, the transactional outbox and deliveries."""
