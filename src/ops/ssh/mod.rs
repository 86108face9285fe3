pub(super) mod keygen;
