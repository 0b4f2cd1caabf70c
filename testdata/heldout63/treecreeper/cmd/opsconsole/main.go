// Command opsconsole is the operator TUI for support and finance on-call:
// revoke portal sessions, grant extra monthly links, flip tenant flags and
// browse the edge namespace.
package main

import (
	"fmt"
	"os"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ledgerline/treecreeper/internal/kvedge"
)

type mode int

const (
	modeBrowse mode = iota
	modeFlagForm
	modeBannerForm
)

type model struct {
	ns       *kvedge.Namespace
	mode     mode
	tenant   string
	prefix   string
	keys     []string
	cursor   string
	history  []string
	selected int
	form     [3]string
	field    int
	picked   map[string]bool
	status   string
}

func (m model) Init() tea.Cmd {
	return keysPageCmd(m.ns, m.prefix, "")
}

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.mode != modeBrowse {
			return m.updateForm(msg)
		}
		switch msg.String() {
		case "q", "ctrl+c":
			return m, tea.Quit
		case "j", "down":
			m.selected = min(m.selected+1, len(m.keys)-1)
		case "k", "up":
			m.selected = max(m.selected-1, 0)
		case "n":
			if m.cursor != "" {
				m.history = append(m.history, m.cursor)
				return m, keysPageCmd(m.ns, m.prefix, m.cursor)
			}
		case "A":
			m.status = "loading every key under " + m.prefix
			return m, allKeysCmd(m.ns, m.prefix)
		case "r":
			if m.selected < len(m.keys) && strings.HasPrefix(m.keys[m.selected], "sess:") {
				id := strings.TrimPrefix(m.keys[m.selected], "sess:")
				return m, tea.Sequence(revokeSessionCmd(m.ns, id), keysPageCmd(m.ns, m.prefix, ""))
			}
		case "+":
			return m, bumpQuotaCmd(m.ns, m.tenant, 100)
		case "f":
			m.mode, m.field, m.form = modeFlagForm, 0, [3]string{}
		case "b":
			m.mode, m.field, m.form = modeBannerForm, 0, [3]string{}
		case " ":
			if m.selected < len(m.keys) {
				m.picked[m.keys[m.selected]] = !m.picked[m.keys[m.selected]]
			}
		case "R":
			var tenants []string
			for k, on := range m.picked {
				if on {
					tenants = append(tenants, strings.TrimPrefix(k, "tenant:"))
				}
			}
			return m, setFlagForTenantsCmd(m.ns, tenants, "new-portal", "on")
		case "S":
			return m, tea.Batch(sweepSessionsCmd(m.ns, "", disabledCustomers()), keysPageCmd(m.ns, "sess:", ""))
		}
	case keysPageMsg:
		m.prefix, m.keys, m.cursor, m.selected = msg.prefix, msg.keys, msg.cursor, 0
	case allKeysMsg:
		m.keys, m.cursor = msg.keys, ""
		m.status = fmt.Sprintf("%d keys", len(msg.keys))
	case sessionRevokedMsg:
		m.status = "revoked " + msg.id
	case quotaBumpedMsg:
		m.status = fmt.Sprintf("%s now at %d used", msg.tenant, msg.used)
	case flagSetMsg:
		m.status = "set " + msg.key
	case sweepDoneMsg:
		m.status = fmt.Sprintf("swept %d sessions", msg.removed)
	case errMsg:
		m.status = "error: " + msg.err.Error()
	}
	return m, nil
}

func (m model) updateForm(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEsc:
		m.mode = modeBrowse
	case tea.KeyTab:
		m.field = (m.field + 1) % len(m.form)
	case tea.KeyBackspace:
		if f := m.form[m.field]; f != "" {
			m.form[m.field] = f[:len(f)-1]
		}
	case tea.KeyEnter:
		cur := m.mode
		m.mode = modeBrowse
		if cur == modeFlagForm {
			return m, setFlagCmd(m.ns, m.tenant, m.form[0], m.form[1], m.form[2])
		}
		return m, setBannerCmd(m.ns, m.tenant, m.form[0], m.form[2])
	case tea.KeyRunes:
		m.form[m.field] += string(msg.Runes)
	}
	return m, nil
}

func (m model) View() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tenant %s  prefix %q\n\n", m.tenant, m.prefix)
	if m.mode != modeBrowse {
		labels := [3]string{"name/text", "value", "ttl seconds"}
		for i, l := range labels {
			marker := " "
			if i == m.field {
				marker = ">"
			}
			fmt.Fprintf(&b, "%s %-12s %s\n", marker, l, m.form[i])
		}
		return b.String()
	}
	for i, k := range m.keys {
		cur := " "
		if i == m.selected {
			cur = ">"
		}
		pick := " "
		if m.picked[k] {
			pick = "*"
		}
		fmt.Fprintf(&b, "%s%s %s\n", cur, pick, k)
	}
	fmt.Fprintf(&b, "\n%s\n[n]ext [A]ll [r]evoke [+]quota [f]lag [b]anner [R]ollout [S]weep [q]uit\n", m.status)
	return b.String()
}

func disabledCustomers() map[string]bool {
	out := map[string]bool{}
	for _, id := range strings.Split(os.Getenv("OPS_DISABLED_CUSTOMERS"), ",") {
		if id != "" {
			out[id] = true
		}
	}
	return out
}

func main() {
	ns := kvedge.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_KV_EDGE_NAMESPACE"))
	m := model{ns: ns, tenant: os.Getenv("OPS_TENANT"), prefix: "tenant:", picked: map[string]bool{}}
	if _, err := tea.NewProgram(m, tea.WithAltScreen()).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
