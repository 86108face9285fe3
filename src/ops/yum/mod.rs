pub mod packages;
