//! Compiles `migrations/` into the service: a file the scanner refuses
//! fails this build, naming the file.

fn main() -> Result<(), migrate::Error> {
    migrate::embed::build("migrations")
}
