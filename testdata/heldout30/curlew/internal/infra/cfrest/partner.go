package cfrest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// QuotaStore counts partner API calls per key and UTC day.
type QuotaStore struct {
	ns  Namespace
	now func() time.Time
}

// NewQuotaStore returns a QuotaStore on ns.
func NewQuotaStore(ns Namespace) *QuotaStore { return &QuotaStore{ns: ns, now: time.Now} }

// Hit records one call for apiKeyID and returns today's total.
func (q *QuotaStore) Hit(ctx context.Context, apiKeyID string) (int, error) {
	key := "hits:" + apiKeyID + ":" + q.now().UTC().Format("20060102")
	n := 0
	raw, err := q.ns.api.GetWorkersKV(ctx, q.ns.rc, cloudflare.GetWorkersKVParams{NamespaceID: q.ns.id, Key: key})
	switch {
	case isNotFound(err):
	case err != nil:
		return 0, fmt.Errorf("quota: read %s: %w", key, err)
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("quota: corrupt counter %s: %w", key, err)
		}
	}
	n++
	_, err = q.ns.api.WriteWorkersKVEntry(ctx, q.ns.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: q.ns.id, Key: key, Value: []byte(strconv.Itoa(n))}) // EXPECT kvcounter
	return n, err
}

// AuditEntry is one line of a partner's audit trail.
type AuditEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

const auditKeep = 200

// AuditLog keeps the latest entries of each partner's audit trail in one value.
type AuditLog struct{ ns Namespace }

// NewAuditLog returns an AuditLog on ns.
func NewAuditLog(ns Namespace) *AuditLog { return &AuditLog{ns: ns} }

// Append adds an entry to the trail of partnerID.
func (l *AuditLog) Append(ctx context.Context, partnerID, actor, action, detail string) error {
	e := AuditEntry{At: time.Now().UTC(), Actor: actor, Action: action, Detail: detail}
	key := "audit:" + partnerID
	var entries []AuditEntry
	raw, err := l.ns.api.GetWorkersKV(ctx, l.ns.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns.id, Key: key})
	switch {
	case isNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &entries); err != nil {
			return fmt.Errorf("audit: decode %s: %w", key, err)
		}
	}
	entries = append(entries, e)
	if len(entries) > auditKeep {
		entries = entries[len(entries)-auditKeep:]
	}
	out, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	_, err = l.ns.api.WriteWorkersKVEntry(ctx, l.ns.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns.id, Key: key, Value: out}) // EXPECT kvrace
	return err
}

// WebhookDedupe remembers delivered webhook event IDs so that a partner's
// retries inside the dedupe window are acknowledged without reprocessing.
type WebhookDedupe struct{ ns Namespace }

// NewWebhookDedupe returns a WebhookDedupe on ns.
func NewWebhookDedupe(ns Namespace) WebhookDedupe { return WebhookDedupe{ns: ns} }

// Seen reports whether eventID was remembered.
func (d WebhookDedupe) Seen(ctx context.Context, eventID string) (bool, error) {
	_, err := d.ns.api.GetWorkersKV(ctx, d.ns.rc, cloudflare.GetWorkersKVParams{NamespaceID: d.ns.id, Key: "whdedupe:" + eventID})
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Remember records eventID for window.
func (d WebhookDedupe) Remember(ctx context.Context, eventID string, window time.Duration) error {
	pair := &cloudflare.WorkersKVPair{
		Key:           "whdedupe:" + eventID,
		Value:         "1",
		ExpirationTTL: int(window), // EXPECT kvttl
	}
	_, err := d.ns.api.WriteWorkersKVEntries(ctx, d.ns.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: d.ns.id, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}
