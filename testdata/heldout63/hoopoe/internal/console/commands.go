// Package console is the operator TUI: revoke sessions, grant quota, set
// feature flags and browse the KV namespace.
package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/cloudflare/cloudflare-go"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
)

const opTimeout = 15 * time.Second

// Messages returned by the commands below.
type (
	revokedMsg struct{ sessionID string }
	quotaMsg   struct {
		hostID string
		total  int
	}
	flagSetMsg struct {
		name string
		ttl  time.Duration
	}
	flagsToggledMsg struct{ flags map[string]bool }
	pageMsg         struct {
		prefix string
		keys   []cloudflare.StorageKey
		cursor string
	}
	exportedMsg struct {
		prefix string
		count  int
		path   string
	}
	inspectMsg struct {
		key   string
		value map[string]any
	}
	bannerMsg struct{ text string }
	errMsg    struct {
		op  string
		err error
	}
)

func (e errMsg) Error() string { return e.op + ": " + e.err.Error() }

func revokeSessionCmd(kv *kvrest.Store, sessionID string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		if err := kv.Delete(ctx, "sess:"+sessionID); err != nil { // EXPECT kvsession
			return errMsg{"revoke", err}
		}
		return revokedMsg{sessionID}
	}
}

func grantQuotaCmd(kv *kvrest.Store, hostID string, extra int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		total, err := kv.Add(ctx, "quota-grant:"+hostID, extra)
		if err != nil {
			return errMsg{"grant", err}
		}
		return quotaMsg{hostID, total}
	}
}

func setFlagCmd(kv *kvrest.Store, name, value string, ttl time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		var err error
		if ttl > 0 {
			err = kv.PutTTL(ctx, "flag:"+name, []byte(value), ttl) // DEBATABLE kvttl
		} else {
			err = kv.Put(ctx, "flag:"+name, []byte(value))
		}
		if err != nil {
			return errMsg{"flag", err}
		}
		return flagSetMsg{name, ttl}
	}
}

func toggleFlagsCmd(kv *kvrest.Store, names []string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		flags := map[string]bool{}
		raw, err := kv.Get(ctx, "flags:global")
		if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
			return errMsg{"toggle", err}
		}
		if err == nil {
			if err := json.Unmarshal(raw, &flags); err != nil {
				return errMsg{"toggle", err}
			}
		}
		for _, n := range names {
			flags[n] = !flags[n]
		}
		body, _ := json.Marshal(flags)
		if err := kv.Put(ctx, "flags:global", body); err != nil { // EXPECT kvrace
			return errMsg{"toggle", err}
		}
		return flagsToggledMsg{flags}
	}
}

func pageKeysCmd(kv *kvrest.Store, prefix, cursor string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		keys, next, err := kv.Page(ctx, prefix, cursor, 100)
		if err != nil {
			return errMsg{"page", err}
		}
		return pageMsg{prefix, keys, next}
	}
}

// exportKeysCmd writes every key name under prefix to a local file.
func exportKeysCmd(kv *kvrest.Store, prefix string, write func(path string, lines []string) error) tea.Cmd {
	return func() tea.Msg {
		ctx := context.Background()
		api, rc := kv.API()
		var names []string
		params := cloudflare.ListWorkersKVsParams{NamespaceID: kv.Namespace(), Prefix: prefix, Limit: 1000}
		for {
			resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
			if err != nil {
				return errMsg{"export", err}
			}
			if len(resp.Result) == 0 {
				break
			}
			for _, k := range resp.Result {
				names = append(names, k.Name)
			}
			params.Cursor = resp.Cursor
		}
		path := fmt.Sprintf("export-%s-%d.txt", strings.TrimSuffix(prefix, ":"), time.Now().Unix())
		if err := write(path, names); err != nil {
			return errMsg{"export", err}
		}
		return exportedMsg{prefix, len(names), path}
	}
}

func inspectCmd(kv *kvrest.Store, key string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		api, rc := kv.API()
		raw, _ := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: kv.Namespace(), Key: key}) // EXPECT kvnull
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			v = map[string]any{"raw": string(raw)}
		}
		return inspectMsg{key, v}
	}
}

func bannerCmd(kv *kvrest.Store, text string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		if err := kv.PutTTL(ctx, "banner:maintenance", []byte(text), 30*time.Second); err != nil { // EXPECT kvttl
			return errMsg{"banner", err}
		}
		return bannerMsg{text}
	}
}

func cacheNoticeCmd(kv *kvrest.Store, text string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		if err := kv.Cache(ctx, "notice:dashboard", []byte(text), 30*time.Second); err != nil {
			return errMsg{"notice", err}
		}
		return bannerMsg{text}
	}
}
