package console

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/cloudflare/cloudflare-go"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
)

type mode int

const (
	modeBrowse mode = iota
	modeCommand
)

// Model is the bubbletea model of the console.
type Model struct {
	kv      *kvrest.Store
	mode    mode
	input   string
	prefix  string
	cursor  string
	keys    []cloudflare.StorageKey
	sel     map[int]bool
	row     int
	status  string
	history []string
	detail  map[string]any
}

// New returns the initial model.
func New(kv *kvrest.Store) Model {
	return Model{kv: kv, prefix: "sess:", sel: map[int]bool{}}
}

// Init loads the first page.
func (m Model) Init() tea.Cmd { return pageKeysCmd(m.kv, m.prefix, "") }

// Update handles key presses and command results.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.mode == modeCommand {
			return m.updateCommand(msg)
		}
		return m.updateBrowse(msg)
	case pageMsg:
		m.keys, m.cursor, m.sel, m.row = msg.keys, msg.cursor, map[int]bool{}, 0
		m.status = fmt.Sprintf("%d keys under %q", len(msg.keys), msg.prefix)
	case revokedMsg:
		m.status = "revoked " + msg.sessionID
	case quotaMsg:
		m.status = fmt.Sprintf("host %s now has %d extra calls", msg.hostID, msg.total)
	case flagSetMsg:
		m.status = fmt.Sprintf("flag %s set (ttl %s)", msg.name, msg.ttl)
	case flagsToggledMsg:
		m.status = fmt.Sprintf("flags: %v", msg.flags)
	case exportedMsg:
		m.status = fmt.Sprintf("exported %d keys to %s", msg.count, msg.path)
	case inspectMsg:
		m.detail = msg.value
		m.status = "inspecting " + msg.key
	case bannerMsg:
		m.status = "banner: " + msg.text
	case errMsg:
		m.status = msg.Error()
	}
	return m, nil
}

func (m Model) updateBrowse(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch k.String() {
	case "q", "ctrl+c":
		return m, tea.Quit
	case "up", "k":
		m.row = max(m.row-1, 0)
	case "down", "j":
		m.row = min(m.row+1, len(m.keys)-1)
	case " ":
		m.sel[m.row] = !m.sel[m.row]
	case "n":
		if m.cursor != "" {
			return m, pageKeysCmd(m.kv, m.prefix, m.cursor)
		}
	case "enter":
		if m.row < len(m.keys) {
			return m, inspectCmd(m.kv, m.keys[m.row].Name)
		}
	case "R":
		var cmds []tea.Cmd
		for i, on := range m.sel {
			if on && strings.HasPrefix(m.keys[i].Name, "sess:") {
				cmds = append(cmds, revokeSessionCmd(m.kv, strings.TrimPrefix(m.keys[i].Name, "sess:")))
			}
		}
		return m, tea.Sequence(tea.Batch(cmds...), pageKeysCmd(m.kv, m.prefix, ""))
	case ":":
		m.mode, m.input = modeCommand, ""
	}
	return m, nil
}

func (m Model) updateCommand(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch k.Type {
	case tea.KeyEsc:
		m.mode = modeBrowse
		return m, nil
	case tea.KeyBackspace:
		if len(m.input) > 0 {
			m.input = m.input[:len(m.input)-1]
		}
		return m, nil
	case tea.KeyEnter:
		line := strings.TrimSpace(m.input)
		m.mode, m.input = modeBrowse, ""
		m.history = append(m.history, line)
		return m, m.run(strings.Fields(line))
	case tea.KeyRunes, tea.KeySpace:
		m.input += k.String()
	}
	return m, nil
}

// run parses a command line typed after ':'.
func (m *Model) run(args []string) tea.Cmd {
	if len(args) == 0 {
		return nil
	}
	switch args[0] {
	case "ls":
		if len(args) > 1 {
			m.prefix = args[1]
		}
		return pageKeysCmd(m.kv, m.prefix, "")
	case "revoke":
		var cmds []tea.Cmd
		for _, id := range args[1:] {
			cmds = append(cmds, revokeSessionCmd(m.kv, id))
		}
		return tea.Batch(cmds...)
	case "grant":
		if len(args) != 3 {
			return m.usage("grant <host> <calls>")
		}
		n, err := strconv.Atoi(args[2])
		if err != nil || n <= 0 {
			return m.usage("grant <host> <calls>")
		}
		return grantQuotaCmd(m.kv, args[1], n)
	case "flag":
		if len(args) < 3 {
			return m.usage("flag <name> <value> [ttl]")
		}
		var ttl time.Duration
		if len(args) == 4 {
			d, err := time.ParseDuration(args[3])
			if err != nil {
				return m.usage("bad ttl: " + err.Error())
			}
			ttl = d
		}
		return tea.Sequence(setFlagCmd(m.kv, args[1], args[2], ttl), pageKeysCmd(m.kv, "flag:", ""))
	case "toggle":
		return toggleFlagsCmd(m.kv, args[1:])
	case "export":
		if len(args) != 2 {
			return m.usage("export <prefix>")
		}
		return exportKeysCmd(m.kv, args[1], writeLines)
	case "banner":
		return bannerCmd(m.kv, strings.Join(args[1:], " "))
	case "notice":
		return cacheNoticeCmd(m.kv, strings.Join(args[1:], " "))
	}
	return m.usage("unknown command " + args[0])
}

func (m *Model) usage(text string) tea.Cmd {
	return func() tea.Msg { return errMsg{"usage", fmt.Errorf("%s", text)} }
}

func writeLines(path string, lines []string) error {
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}

// View renders the model.
func (m Model) View() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hoopoe console — %s\n\n", m.prefix)
	for i, k := range m.keys {
		cur, mark := " ", " "
		if i == m.row {
			cur = ">"
		}
		if m.sel[i] {
			mark = "*"
		}
		exp := ""
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).Format(time.DateTime)
		}
		fmt.Fprintf(&b, "%s%s %-60s %s\n", cur, mark, k.Name, exp)
	}
	if m.cursor != "" {
		b.WriteString("\n(n) next page")
	}
	if m.detail != nil {
		fmt.Fprintf(&b, "\n%v\n", m.detail)
	}
	if m.mode == modeCommand {
		fmt.Fprintf(&b, "\n:%s", m.input)
	}
	fmt.Fprintf(&b, "\n%s\n", m.status)
	return b.String()
}
