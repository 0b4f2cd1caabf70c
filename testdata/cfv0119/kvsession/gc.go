package kvsession

import (
	"context"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

// Quiet: an operator's command runs the collection of sessions the
// database no longer holds, which removes what has ended, whoever it was
// for.
func (h *handler) runCommand(ctx context.Context, name string, live map[string]bool) error {
	switch name {
	case "gc-sessions":
		return h.gcSessions(ctx, live)
	}
	return nil
}

func (h *handler) gcSessions(ctx context.Context, live map[string]bool) error {
	var stale []string
	cursor := ""
	for page := 0; page < 50; page++ {
		resp, err := h.api.ListWorkersKVKeys(ctx, h.rc, cloudflare.ListWorkersKVsParams{NamespaceID: h.ns, Prefix: "sess:", Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			if !live[strings.TrimPrefix(k.Name, "sess:")] {
				stale = append(stale, k.Name)
			}
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	_, err := h.api.DeleteWorkersKVEntries(ctx, h.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: h.ns, Keys: stale})
	return err
}
