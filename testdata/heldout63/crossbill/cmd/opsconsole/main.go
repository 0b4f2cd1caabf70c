//go:build !(js && wasm)

// Command opsconsole is the on-call operator console for the box office. It
// talks to the KV namespaces directly so that it keeps working when the
// backend is down during an on-sale.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/boxoffice/crossbill/internal/edgekv"
)

const opTimeout = 15 * time.Second

type mode int

const (
	modeCommand mode = iota
	modeInput
)

// Result messages returned by the commands.
type (
	revokedMsg struct{ sid string }
	quotaMsg   struct {
		promoter string
		limit    int
	}
	flagSetMsg struct {
		name string
		ttl  time.Duration
	}
	pageMsg struct {
		prefix, cursor string
		keys           []string
	}
	exportedMsg struct {
		path string
		n    int
	}
	holdsMsg struct {
		event string
		lines []string
	}
	noteMsg struct {
		event string
		count int
	}
	replayedMsg struct{ n int }
	auditMsg    struct{}
	errMsg      struct{ err error }
)

type note struct {
	By   string    `json:"by"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

type model struct {
	sessions, seats, flags, quotas *edgekv.Store
	operator                       string

	mode    mode
	prompt  string
	input   string
	pending func(args []string) tea.Cmd

	prefix string
	cursor string
	keys   []string
	status string
	log    []string
}

func withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}

func (m model) audit(action string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		key := fmt.Sprintf("audit:%s:%d", m.operator, time.Now().UnixNano())
		if err := m.flags.Put(ctx, key, []byte(action), 30*24*time.Hour); err != nil {
			return errMsg{err}
		}
		return auditMsg{}
	}
}

func revokeSession(store *edgekv.Store, sid string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		if err := store.Delete(ctx, "sess:"+sid); err != nil { // EXPECT kvsession
			return errMsg{err}
		}
		return revokedMsg{sid}
	}
}

func grantTickets(store *edgekv.Store, promoter string, extra int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		key := "quota:promoter:" + promoter
		raw, err := store.Get(ctx, key)
		if err != nil {
			return errMsg{err}
		}
		cur, err := strconv.Atoi(string(raw))
		if err != nil {
			return errMsg{err}
		}
		if err := store.Put(ctx, key, []byte(strconv.Itoa(cur+extra)), 0); err != nil { // EXPECT kvcounter|kvrace
			return errMsg{err}
		}
		return quotaMsg{promoter, cur + extra}
	}
}

func setQuota(store *edgekv.Store, promoter string, limit int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		if err := store.Put(ctx, "quota:promoter:"+promoter, []byte(strconv.Itoa(limit)), 0); err != nil { // DEBATABLE kvcounter
			return errMsg{err}
		}
		return quotaMsg{promoter, limit}
	}
}

func setFlag(store *edgekv.Store, name, value string, ttl time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		ttl = max(ttl, time.Minute)
		if err := store.Put(ctx, "flag:"+name, []byte(value), ttl); err != nil {
			return errMsg{err}
		}
		return flagSetMsg{name, ttl}
	}
}

func snoozeAlert(store *edgekv.Store, alert string, secs int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		ttl := time.Duration(secs) * time.Second
		if err := store.Put(ctx, "snooze:"+alert, []byte("1"), ttl); err != nil { // DEBATABLE kvttl
			return errMsg{err}
		}
		return flagSetMsg{"snooze:" + alert, ttl}
	}
}

func listPage(store *edgekv.Store, prefix, cursor string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		keys, next, err := store.Page(ctx, prefix, cursor, 50)
		if err != nil {
			return errMsg{err}
		}
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.Name
		}
		return pageMsg{prefix, next, names}
	}
}

func exportKeys(store *edgekv.Store, prefix, path string) tea.Cmd {
	return func() tea.Msg {
		ctx := context.Background()
		f, err := os.Create(path)
		if err != nil {
			return errMsg{err}
		}
		defer f.Close()
		n, cursor := 0, ""
		for {
			keys, next, err := store.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
			if err != nil {
				return errMsg{err}
			}
			for _, k := range keys {
				fmt.Fprintln(f, k.Name)
				n++
			}
			if next == "" {
				break
			}
			cursor = next
		}
		return exportedMsg{path, n}
	}
}

func inspectHolds(store *edgekv.Store, eventID string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		keys, _, err := store.Page(ctx, "hold:"+eventID+":", "", 100)
		if err != nil {
			return errMsg{err}
		}
		lines := make([]string, 0, len(keys))
		for _, k := range keys {
			raw, err := store.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			lines = append(lines, k.Name+" "+string(raw))
		}
		return holdsMsg{eventID, lines}
	}
}

func pinNote(store *edgekv.Store, operator, eventID, text string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		key := "event:" + eventID + ":notes"
		var notes []note
		raw, err := store.Get(ctx, key)
		if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
			return errMsg{err}
		}
		if len(raw) > 0 {
			_ = json.Unmarshal(raw, &notes)
		}
		notes = append(notes, note{By: operator, Text: text, At: time.Now()})
		buf, _ := json.Marshal(notes)
		if err := store.Put(ctx, key, buf, 0); err != nil { // EXPECT kvrace
			return errMsg{err}
		}
		return noteMsg{eventID, len(notes)}
	}
}

func replayFlags(store *edgekv.Store, path string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		data, err := os.ReadFile(path)
		if err != nil {
			return errMsg{err}
		}
		var flags map[string]string
		if err := json.Unmarshal(data, &flags); err != nil {
			return errMsg{err}
		}
		entries := make([]edgekv.Entry, 0, len(flags))
		for name, v := range flags {
			entries = append(entries, edgekv.Entry{Key: "flag:" + name, Value: v})
		}
		if err := store.BulkPut(ctx, entries); err != nil {
			return errMsg{err}
		}
		for name := range flags {
			if err := store.Put(ctx, "flags:last-replayed", []byte(name), 0); err != nil { // EXPECT kvhotkey
				return errMsg{err}
			}
		}
		return replayedMsg{len(flags)}
	}
}

func (m model) Init() tea.Cmd {
	return listPage(m.flags, "flag:", "")
}

func (m model) ask(prompt string, then func(args []string) tea.Cmd) (tea.Model, tea.Cmd) {
	m.mode, m.prompt, m.input, m.pending = modeInput, prompt, "", then
	return m, nil
}

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.mode == modeInput {
			return m.updateInput(msg)
		}
		switch msg.String() {
		case "q", "ctrl+c":
			return m, tea.Quit
		case "r":
			return m.ask("session id", func(a []string) tea.Cmd {
				return tea.Batch(revokeSession(m.sessions, a[0]), m.audit("revoke "+a[0]))
			})
		case "g":
			return m.ask("promoter extra", func(a []string) tea.Cmd {
				n, _ := strconv.Atoi(a[1])
				return tea.Sequence(grantTickets(m.quotas, a[0], n), m.audit("grant "+a[0]))
			})
		case "Q":
			return m.ask("promoter limit", func(a []string) tea.Cmd {
				n, err := strconv.Atoi(a[1])
				if err != nil {
					return func() tea.Msg { return errMsg{err} }
				}
				return setQuota(m.quotas, a[0], n)
			})
		case "f":
			return m.ask("flag value ttl", func(a []string) tea.Cmd {
				ttl, err := time.ParseDuration(a[2])
				if err != nil {
					return func() tea.Msg { return errMsg{err} }
				}
				return tea.Batch(setFlag(m.flags, a[0], a[1], ttl), m.audit("flag "+a[0]))
			})
		case "z":
			return m.ask("alert seconds", func(a []string) tea.Cmd {
				secs, _ := strconv.Atoi(a[1])
				return snoozeAlert(m.flags, a[0], secs)
			})
		case "n":
			if m.cursor == "" {
				m.status = "last page"
				return m, nil
			}
			return m, listPage(m.flags, m.prefix, m.cursor)
		case "p":
			return m.ask("prefix", func(a []string) tea.Cmd { return listPage(m.flags, a[0], "") })
		case "x":
			return m.ask("prefix file", func(a []string) tea.Cmd {
				return tea.Sequence(m.audit("export "+a[0]), exportKeys(m.flags, a[0], a[1]))
			})
		case "h":
			return m.ask("event", func(a []string) tea.Cmd { return inspectHolds(m.seats, a[0]) })
		case "N":
			return m.ask("event text", func(a []string) tea.Cmd {
				return pinNote(m.flags, m.operator, a[0], strings.Join(a[1:], " "))
			})
		case "R":
			return m.ask("file", func(a []string) tea.Cmd {
				return tea.Sequence(replayFlags(m.flags, a[0]), listPage(m.flags, "flag:", ""))
			})
		}
	case revokedMsg:
		m.status = "revoked " + msg.sid
	case quotaMsg:
		m.status = fmt.Sprintf("quota %s = %d", msg.promoter, msg.limit)
	case flagSetMsg:
		m.status = fmt.Sprintf("set %s for %s", msg.name, msg.ttl)
	case pageMsg:
		m.prefix, m.cursor, m.keys = msg.prefix, msg.cursor, msg.keys
	case exportedMsg:
		m.status = fmt.Sprintf("exported %d keys to %s", msg.n, msg.path)
	case holdsMsg:
		m.keys = msg.lines
		m.status = fmt.Sprintf("%d holds on %s", len(msg.lines), msg.event)
	case noteMsg:
		m.status = fmt.Sprintf("%d notes on %s", msg.count, msg.event)
	case replayedMsg:
		m.status = fmt.Sprintf("replayed %d flags", msg.n)
	case auditMsg:
	case errMsg:
		m.status = "error: " + msg.err.Error()
		m.log = append(m.log, m.status)
	}
	return m, nil
}

func (m model) updateInput(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch k.Type {
	case tea.KeyEsc:
		m.mode = modeCommand
		return m, nil
	case tea.KeyEnter:
		m.mode = modeCommand
		args := strings.Fields(m.input)
		if len(args) < len(strings.Fields(m.prompt)) {
			m.status = "need: " + m.prompt
			return m, nil
		}
		return m, m.pending(args)
	case tea.KeyBackspace:
		if m.input != "" {
			m.input = m.input[:len(m.input)-1]
		}
	default:
		m.input += k.String()
	}
	return m, nil
}

func (m model) View() string {
	var b strings.Builder
	b.WriteString("crossbill ops  [r]evoke [g]rant [Q]uota [f]lag [z]snooze [p]refix [n]ext e[x]port [h]olds [N]ote [R]eplay [q]uit\n\n")
	for _, k := range m.keys {
		b.WriteString("  " + k + "\n")
	}
	if m.mode == modeInput {
		fmt.Fprintf(&b, "\n%s> %s", m.prompt, m.input)
	}
	fmt.Fprintf(&b, "\n%s\n", m.status)
	return b.String()
}

func main() {
	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	m := model{
		sessions: edgekv.Open(token, account, os.Getenv("KV_SESSIONS"), "sessions"),
		seats:    edgekv.Open(token, account, os.Getenv("KV_SEATS"), "seats"),
		flags:    edgekv.Open(token, account, os.Getenv("KV_FLAGS"), "flags"),
		quotas:   edgekv.Open(token, account, os.Getenv("KV_CACHE"), "cache"),
		operator: os.Getenv("USER"),
	}
	if _, err := tea.NewProgram(m, tea.WithAltScreen()).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
