// Package gate handles truck gate scans and gate passes at the terminal
// entrances. Like manifest it still runs on the v0 cloudflare-go client.
package gate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Scan is one read of a truck's gate pass at a lane.
type Scan struct {
	ID     string    `json:"id"`
	Lane   string    `json:"lane"`
	PassID string    `json:"pass_id"`
	Plate  string    `json:"plate"`
	At     time.Time `json:"at"`
}

// Gate serves the lane scanners.
type Gate struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	log *slog.Logger
}

// New returns a Gate writing to the legacy namespace.
func New(api *cloudflare.API, accountID, namespaceID string, log *slog.Logger) *Gate {
	return &Gate{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID, log: log.With("component", "gate")}
}

func (g *Gate) write(ctx context.Context, key string, val []byte) error {
	_, err := g.api.WriteWorkersKVEntry(ctx, g.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: g.ns, Key: key, Value: val})
	return err
}

func (g *Gate) read(ctx context.Context, key string) ([]byte, error) {
	return g.api.GetWorkersKV(ctx, g.rc, cloudflare.GetWorkersKVParams{NamespaceID: g.ns, Key: key})
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

func newID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ScanHandler accepts scans from the lane readers.
func (g *Gate) ScanHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var s Scan
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&s); err != nil {
			http.Error(w, "bad scan", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		if revoked, err := g.Revoked(ctx, s.PassID); err != nil || revoked {
			http.Error(w, "pass not accepted", http.StatusForbidden)
			return
		}
		s.ID, s.At = newID(), time.Now().UTC()
		b, _ := json.Marshal(s)
		if _, err := g.api.WriteWorkersKVEntries(ctx, g.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: g.ns,
			KVs: []*cloudflare.WorkersKVPair{{
				Key:           "scan:" + s.ID,
				Value:         string(b),
				ExpirationTTL: 24 * 3600,
			}},
		}); err != nil {
			http.Error(w, "store failed", http.StatusBadGateway)
			return
		}
		if err := g.write(ctx, "gate:last-scan", b); err != nil { // EXPECT kvhotkey
			g.log.Warn("last-scan update failed", "err", err)
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"result": "admitted", "scan": s.ID})
	}
}

// RecordView counts a view of a vessel's public page on the gate kiosk.
func (g *Gate) RecordView(ctx context.Context, imo string) error {
	key := "views:vessel:" + imo
	n := 0
	b, err := g.read(ctx, key)
	switch {
	case isNotFound(err):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(b))
	}
	return g.write(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}

// RevokePass blocks a gate pass token, e.g. when a haulier reports it lost.
func (g *Gate) RevokePass(ctx context.Context, passID, reason string) error {
	rec, _ := json.Marshal(struct {
		Reason string    `json:"reason"`
		At     time.Time `json:"at"`
	}{reason, time.Now().UTC()})
	return g.write(ctx, "revoked:passtoken:"+passID, rec) // EXPECT kvsession
}

// Revoked reports whether a pass token is on the revocation list.
func (g *Gate) Revoked(ctx context.Context, passID string) (bool, error) {
	_, err := g.read(ctx, "revoked:passtoken:"+passID)
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	default:
		return false, err
	}
}

// DwellMinutes returns how long a container has been in the yard according to
// the terminal operating system's last export.
func (g *Gate) DwellMinutes(ctx context.Context, container string) (int, error) {
	b, _ := g.read(ctx, "dwell:"+container) // EXPECT kvnull
	mins, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, fmt.Errorf("gate: dwell for %s: %w", container, err)
	}
	return mins, nil
}
