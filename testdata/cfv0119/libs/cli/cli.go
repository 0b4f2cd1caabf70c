// Package cli stands for a command-line tool library: an operator runs a
// command once an invocation, with the arguments typed in the shell.
package cli

// Command is one command of a tool.
type Command struct {
	Use  string
	RunE func(cmd *Command, args []string) error
}

// PositionalArgs checks a command's arguments.
type PositionalArgs func(cmd *Command, args []string) error
