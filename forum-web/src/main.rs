//! `forum`: serve the site and administer it from the command line.

use std::process::ExitCode;

fn main() -> ExitCode {
    match forum_web::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One clear line, never a backtrace.
            let causes: Vec<String> = error.chain().map(ToString::to_string).collect();
            let message = causes.join(": ");
            eprintln!("forum: {}", message.split_whitespace().collect::<Vec<_>>().join(" "));
            ExitCode::FAILURE
        }
    }
}
