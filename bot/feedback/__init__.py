"""Feedback: anonymous notes from colleagues and candidates, stored with nothing about who sent them."""
