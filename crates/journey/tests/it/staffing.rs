//! Contact-centre staffing tests (filled in below).
