//! The lab (placeholder until written).
