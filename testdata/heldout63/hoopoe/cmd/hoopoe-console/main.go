// Command hoopoe-console is the operator TUI.
package main

import (
	"fmt"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/cloudflare/cloudflare-go"

	"github.com/hoopoefm/hoopoe/internal/console"
	"github.com/hoopoefm/hoopoe/internal/kvrest"
)

func main() {
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kv := kvrest.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	if _, err := tea.NewProgram(console.New(kv), tea.WithAltScreen()).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
