//! `crosscheck completions SHELL` and `crosscheck man`: both generated from clap's definition
//! of the CLI, so that they list exactly the commands and flags `--help` does.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::errors::CliError;
use crate::printer::Printer;

pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<(), CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "crosscheck", &mut script);
    printer.stdout(&String::from_utf8_lossy(&script));
    Ok(())
}

/// The man page: crosscheck(1), with a section per subcommand.
pub fn man(printer: &Printer) -> Result<(), CliError> {
    let command = Cli::command();
    let mut page = Vec::new();
    let io = |source| CliError::Io {
        action: "cannot render",
        path: "the man page".to_owned(),
        source,
    };
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut page).map_err(io)?;
    man.render_name_section(&mut page).map_err(io)?;
    man.render_synopsis_section(&mut page).map_err(io)?;
    man.render_description_section(&mut page).map_err(io)?;
    man.render_options_section(&mut page).map_err(io)?;
    man.render_subcommands_section(&mut page).map_err(io)?;
    // Each subcommand's own flags, which the subcommand list alone does not show.
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let name = sub.get_name().to_owned();
        page.extend_from_slice(format!(".SH \"CROSSCHECK {}\"\n", name.to_uppercase()).as_bytes());
        let sub_man = clap_mangen::Man::new(sub.clone().bin_name(format!("crosscheck {name}")));
        sub_man.render_synopsis_section(&mut page).map_err(io)?;
        sub_man.render_description_section(&mut page).map_err(io)?;
        sub_man.render_options_section(&mut page).map_err(io)?;
    }
    man.render_extra_section(&mut page).map_err(io)?;
    man.render_version_section(&mut page).map_err(io)?;
    printer.stdout(&String::from_utf8_lossy(&page));
    Ok(())
}
