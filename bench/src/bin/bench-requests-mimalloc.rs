//! The request loop of `bench-requests` (see `airflow_bench::requests`) in a program whose global
//! allocator is mimalloc: what a service that decodes many large pages would likely use.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    airflow_bench::requests::main()
}
