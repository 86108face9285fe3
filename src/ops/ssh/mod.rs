pub(super) mod keygen;
pub(super) mod known_hosts;
