// The migrations are embedded (`sqlx::migrate!`) and the queries checked against them at
// compile time: a change to `migrations/` must rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
