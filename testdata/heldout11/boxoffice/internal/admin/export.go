//go:build js && wasm

package admin

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/holds"
	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvkey"
)

// maxExportPages bounds one export request; larger events continue from
// the returned cursor.
const maxExportPages = 4

// Export writes one chunk of an event's tickets as CSV and stores it for
// download.
func (a *Admin) Export(w http.ResponseWriter, r *http.Request) error {
	eventID := r.URL.Query().Get("event")
	if eventID == "" {
		return httpx.Errorf(http.StatusBadRequest, "event required")
	}
	ns, err := kv.NewNamespace(a.binding)
	if err != nil {
		return err
	}
	prefix := kvkey.Tickets.Child(eventID).Prefix()
	cursor := r.URL.Query().Get("cursor")
	var tickets []holds.Ticket
	for pages := 0; pages < maxExportPages; pages++ {
		res, err := ns.List(&kv.ListOptions{
			Prefix: prefix,
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			if raw == "<null>" {
				continue
			}
			var t holds.Ticket
			if err := json.Unmarshal([]byte(raw), &t); err == nil {
				tickets = append(tickets, t)
			}
		}
		if res.ListComplete {
			cursor = ""
			break
		}
		cursor = res.Cursor
	}
	body, err := toCSV(tickets)
	if err != nil {
		return err
	}
	exportID := newExportID()
	err = ns.PutString(kvkey.Key("export").Child(exportID).String(), body, &kv.PutOptions{
		Expiration: int(time.Now().Add(24 * time.Hour).UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, map[string]any{
		"export": exportID,
		"rows":   len(tickets),
		"cursor": cursor,
	})
}

// Download serves a stored export.
func (a *Admin) Download(w http.ResponseWriter, r *http.Request) error {
	id := httpx.PathTail(r, "/admin/exports/")
	ns, err := kv.NewNamespace(a.binding)
	if err != nil {
		return err
	}
	raw, err := ns.GetString(kvkey.Key("export").Child(id).String(), nil)
	if err != nil {
		return err
	}
	if raw == "<null>" {
		return httpx.Errorf(http.StatusNotFound, "export expired")
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Disposition", `attachment; filename="tickets-`+id+`.csv"`)
	_, err = w.Write([]byte(raw))
	return err
}

func toCSV(tickets []holds.Ticket) (string, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write([]string{"ticket", "event", "seat", "account", "order", "issued_at"}); err != nil {
		return "", err
	}
	for _, t := range tickets {
		rec := []string{t.ID, t.EventID, t.Seat, t.AccountID, t.OrderID, t.IssuedAt.UTC().Format(time.RFC3339)}
		if err := cw.Write(rec); err != nil {
			return "", err
		}
	}
	cw.Flush()
	return buf.String(), cw.Error()
}

func newExportID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatInt(time.Now().Unix(), 36) + "-" + hex.EncodeToString(b[:])
}
