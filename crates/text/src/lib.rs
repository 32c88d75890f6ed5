//! Sentiment, emotions and themes of feedback, chat and ticket text.
