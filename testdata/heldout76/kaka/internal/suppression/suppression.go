// Package suppression manages the global and per-account suppression lists
// kept in the SUPPRESSIONS KV namespace. The MTA reads them at send time;
// this package is used by the admin API and the nightly export.
package suppression

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/postmarkly/kaka/internal/kvstore"
)

const keyPrefix = "suppress:"

// Entry is one suppressed address.
type Entry struct {
	Address string    `json:"address"`
	Reason  string    `json:"reason"`
	Source  string    `json:"source"`
	Added   time.Time `json:"added"`
}

// List is a suppression list in one namespace.
type List struct {
	NS *kvstore.Namespace
}

func key(addr string) string { return keyPrefix + strings.ToLower(strings.TrimSpace(addr)) }

// IsSuppressed reports whether addr is on the list.
func (l *List) IsSuppressed(ctx context.Context, addr string) (bool, error) {
	_, err := l.NS.Get(ctx, key(addr))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, kvstore.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// Add puts addr on the list. Re-adding overwrites the reason, which is
// what support wants when an address bounces again for a new reason.
func (l *List) Add(ctx context.Context, e Entry) error {
	e.Added = time.Now().UTC()
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return l.NS.Put(ctx, key(e.Address), body)
}

// Remove takes addr off the list.
func (l *List) Remove(ctx context.Context, addr string) error {
	return l.NS.Delete(ctx, key(addr))
}

// Addresses returns every suppressed address.
func (l *List) Addresses(ctx context.Context) ([]string, error) {
	var out []string
	cursor := ""
	for {
		page, err := l.NS.ListPage(ctx, keyPrefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			out = append(out, strings.TrimPrefix(k.Name, keyPrefix))
		}
		if page.Cursor == "" {
			return out, nil
		}
		cursor = page.Cursor
	}
}

// ExportLimits bounds a single export run.
type ExportLimits struct {
	MaxPages int
	Deadline time.Duration
}

// Export writes suppressed entries as JSON lines, page by page, stopping at
// the page budget or deadline. It returns the cursor to resume from.
func (l *List) Export(ctx context.Context, w io.Writer, lim ExportLimits, cursor string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, lim.Deadline)
	defer cancel()
	enc := json.NewEncoder(w)
	for range lim.MaxPages {
		page, err := l.NS.ListPage(ctx, keyPrefix, cursor, 1000)
		if err != nil {
			return cursor, err
		}
		for _, k := range page.Keys {
			if err := enc.Encode(struct {
				Address string `json:"address"`
				Meta    any    `json:"meta,omitempty"`
			}{strings.TrimPrefix(k.Name, keyPrefix), k.Metadata}); err != nil {
				return cursor, err
			}
		}
		if page.Cursor == "" {
			return "", nil
		}
		cursor = page.Cursor
	}
	return cursor, nil
}

// Details loads full entries for one page of the list, for the support
// console's table view.
func (l *List) Details(ctx context.Context, cursor string) ([]Entry, string, error) {
	page, err := l.NS.ListPage(ctx, keyPrefix, cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := l.NS.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			if kvstore.IsNotFound(err) {
				continue
			}
			return nil, "", err
		}
		var e Entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, "", fmt.Errorf("entry %s: %w", k.Name, err)
		}
		out = append(out, e)
	}
	return out, page.Cursor, nil
}

// Size reports how many addresses are suppressed, for the billing page.
func (l *List) Size(ctx context.Context) (int, error) {
	resp, err := l.NS.API.ListWorkersKVKeys(ctx, l.NS.Account, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: l.NS.ID,
		Prefix:      keyPrefix,
		Limit:       1000,
	})
	if err != nil {
		return 0, err
	}
	return len(resp.Result), nil
}

// complianceNotice is attached to imported entries so the export carries
// the legal basis for the suppression with each address.
const complianceNotice = "This address was added to the suppression list following a request made under applicable anti-spam and " +
	"privacy legislation, including but not limited to the CAN-SPAM Act of 2003 (15 U.S.C. 7701 et seq.), the Canadian " +
	"Anti-Spam Legislation (S.C. 2010, c. 23), the EU General Data Protection Regulation (Regulation (EU) 2016/679) and " +
	"Directive 2002/58/EC on privacy and electronic communications, and the UK Privacy and Electronic Communications " +
	"Regulations 2003. Messages of a commercial nature must not be sent to this address by any sender on the platform " +
	"unless and until the recipient has given fresh, specific, informed and unambiguous consent that is recorded in the " +
	"consent ledger together with the time, source, IP address and exact wording shown to the recipient. Transactional " +
	"messages that are strictly necessary for an existing relationship, such as receipts, password resets and security " +
	"alerts, remain permitted where the applicable law allows it. Removal of this entry requires approval by the " +
	"compliance team and must reference the ticket in which the recipient's renewed consent was verified. Any attempt " +
	"to circumvent this suppression, including by re-importing the address under another list, is a breach of the " +
	"acceptable use policy and may lead to suspension of the sending account without notice."

// Import adds addresses in bulk from a partner's unsubscribe feed.
func (l *List) Import(ctx context.Context, source string, addrs []string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(addrs))
	for _, a := range addrs {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:      key(a),
			Value:    "import:" + source,
			Metadata: map[string]string{"source": source, "notice": complianceNotice}, // EXPECT kvlimits
		})
	}
	for start := 0; start < len(pairs); start += 10000 {
		end := min(start+10000, len(pairs))
		if err := l.NS.PutMany(ctx, pairs[start:end]); err != nil {
			return fmt.Errorf("import %s [%d:%d]: %w", source, start, end, err)
		}
	}
	return nil
}
