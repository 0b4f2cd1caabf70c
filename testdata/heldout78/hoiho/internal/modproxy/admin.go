package modproxy

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// retractionNotice is attached to versions withdrawn under the registry's
// acceptable-use policy. The go command shows the metadata to admins only.
const retractionNotice = `This module version has been withdrawn from the Hoiho registry by the ` +
	`registry operators under section 4.2 of the acceptable-use policy. Withdrawn versions remain ` +
	`resolvable for existing go.sum entries so that reproducible builds keep working, but they are ` +
	`no longer offered by @latest or listed by @v/list, and new requires of this version are refused ` +
	`by the publishing gateway. If you maintain this module and believe the withdrawal was made in ` +
	`error, open a ticket with the registry team and include the module path, the version, the ` +
	`account that published it and the digest of the zip as shown by the admin console. Consumers ` +
	`are advised to upgrade to the next available version; the registry's advisory feed lists the reason for ` +
	`the withdrawal together with any CVE identifiers, the affected packages and the fixed versions. ` +
	`Automated tooling may read the machine-readable fields of this metadata (reason, advisory, since) ` +
	`instead of this text, which is intended for humans and may change between registry releases ` +
	`without notice. Mirrors that replicate the registry must honour the withdrawal within 24 hours.`

type retraction struct {
	Reason   string `json:"reason"`
	Advisory string `json:"advisory,omitempty"`
	Notice   string `json:"notice"`
}

// Withdraw marks a published version as withdrawn while keeping it resolvable.
func (s *Server) Withdraw(ctx context.Context, mod, ver, reason, advisory string) error {
	esc := EscapePath(mod)
	meta := retraction{Reason: reason, Advisory: advisory, Notice: retractionNotice}
	if err := s.KV.PutMeta(ctx, withdrawnKey(esc, ver), []byte(reason), meta, 0); err != nil { // EXPECT kvlimits
		return err
	}
	return s.KV.Delete(ctx, latestKey(esc))
}

// OwnersPage serves one page of module ownership records to the admin UI;
// the UI passes the returned cursor back to fetch the next page.
func (s *Server) OwnersPage(w http.ResponseWriter, r *http.Request) {
	keys, next, err := s.KV.Page(r.Context(), "gomod:owner:", r.URL.Query().Get("cursor"), 200)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	mods := make([]string, 0, len(keys))
	for _, k := range keys {
		mods = append(mods, strings.TrimPrefix(k.Name, "gomod:owner:"))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"modules": mods, "cursor": next})
}

// RecentOwners feeds the module preview on the admin dashboard.
func (s *Server) RecentOwners(ctx context.Context) ([]string, error) {
	keys, _, err := s.KV.Page(ctx, "gomod:owner:", "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, strings.TrimPrefix(k.Name, "gomod:owner:"))
	}
	return out, nil
}
