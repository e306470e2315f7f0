//! The request loop with the system allocator: see `airflow_bench::requests`.

fn main() -> std::process::ExitCode {
    airflow_bench::requests::main()
}
