package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ledgerline/treecreeper/internal/kvedge"
	"github.com/ledgerline/treecreeper/internal/portal"
)

const opTimeout = 10 * time.Second

type (
	sessionRevokedMsg struct{ id string }
	quotaBumpedMsg    struct {
		tenant string
		used   int
	}
	flagSetMsg  struct{ key string }
	keysPageMsg struct {
		prefix string
		keys   []string
		cursor string
	}
	allKeysMsg struct {
		prefix string
		keys   []string
	}
	sweepDoneMsg struct{ removed int }
	errMsg       struct{ err error }
)

func opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}

func revokeSessionCmd(ns *kvedge.Namespace, id string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := opCtx()
		defer cancel()
		if err := ns.Delete(ctx, portal.SessionKey(id)); err != nil { // EXPECT kvsession
			return errMsg{err}
		}
		return sessionRevokedMsg{id: id}
	}
}

func bumpQuotaCmd(ns *kvedge.Namespace, tenant string, extra int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := opCtx()
		defer cancel()
		key := "quota-used:" + tenant + ":" + time.Now().UTC().Format("200601")
		raw, err := ns.Get(ctx, key)
		if err != nil && !errors.Is(err, kvedge.ErrNotFound) {
			return errMsg{err}
		}
		used := 0
		if err == nil {
			if used, err = strconv.Atoi(string(raw)); err != nil {
				return errMsg{err}
			}
		}
		used -= extra
		if err := ns.Put(ctx, key, []byte(strconv.Itoa(used)), 40*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
			return errMsg{err}
		}
		return quotaBumpedMsg{tenant: tenant, used: used}
	}
}

func flagKey(tenant, name string) string { return "flag:" + tenant + ":" + name }

func setFlagCmd(ns *kvedge.Namespace, tenant, name, value, ttlField string) tea.Cmd {
	return func() tea.Msg {
		secs, err := strconv.Atoi(strings.TrimSpace(ttlField))
		if err != nil {
			return errMsg{err}
		}
		ctx, cancel := opCtx()
		defer cancel()
		key := flagKey(tenant, name)
		if err := ns.Put(ctx, key, []byte(value), time.Duration(secs)*time.Second); err != nil { // DEBATABLE kvttl
			return errMsg{err}
		}
		return flagSetMsg{key: key}
	}
}

func setBannerCmd(ns *kvedge.Namespace, tenant, text, ttlField string) tea.Cmd {
	return func() tea.Msg {
		secs, err := strconv.Atoi(strings.TrimSpace(ttlField))
		if err != nil {
			return errMsg{err}
		}
		ctx, cancel := opCtx()
		defer cancel()
		key := "banner:" + tenant
		ttl := max(time.Duration(secs)*time.Second, time.Minute)
		if err := ns.Put(ctx, key, []byte(text), ttl); err != nil {
			return errMsg{err}
		}
		return flagSetMsg{key: key}
	}
}

// setFlagForTenantsCmd rolls a flag out to the selected tenants at once.
func setFlagForTenantsCmd(ns *kvedge.Namespace, tenants []string, name, value string) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(tenants))
	for _, t := range tenants {
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := opCtx()
			defer cancel()
			rec, _ := json.Marshal(map[string]string{"tenant": t, "value": value})
			if err := ns.Put(ctx, "flag:rollout:"+name, rec, 0); err != nil { // EXPECT kvhotkey
				return errMsg{err}
			}
			return flagSetMsg{key: flagKey(t, name)}
		})
	}
	return tea.Batch(cmds...)
}

func keysPageCmd(ns *kvedge.Namespace, prefix, cursor string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := opCtx()
		defer cancel()
		page, err := ns.ListPage(ctx, prefix, cursor, 50)
		if err != nil {
			return errMsg{err}
		}
		names := make([]string, len(page.Keys))
		for i, k := range page.Keys {
			names[i] = k.Name
		}
		return keysPageMsg{prefix: prefix, keys: names, cursor: page.Cursor}
	}
}

func allKeysCmd(ns *kvedge.Namespace, prefix string) tea.Cmd {
	return func() tea.Msg {
		ctx := context.Background()
		var names []string
		cursor := ""
		for {
			page, err := ns.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
			if err != nil {
				return errMsg{err}
			}
			for _, k := range page.Keys {
				names = append(names, k.Name)
			}
			if page.Cursor == "" {
				break
			}
			cursor = page.Cursor
		}
		return allKeysMsg{prefix: prefix, keys: names}
	}
}

// sweepSessionsCmd removes sessions of disabled customers from one page.
func sweepSessionsCmd(ns *kvedge.Namespace, cursor string, disabled map[string]bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		page, err := ns.ListPage(ctx, "sess:", cursor, 200)
		if err != nil {
			return errMsg{err}
		}
		removed := 0
		for _, k := range page.Keys {
			raw, err := ns.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var s portal.Session
			if json.Unmarshal(raw, &s) == nil && disabled[s.CustomerID] {
				if ns.Delete(ctx, k.Name) == nil { // EXPECT kvsession
					removed++
				}
			}
		}
		return sweepDoneMsg{removed: removed}
	}
}
