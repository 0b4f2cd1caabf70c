package orders

import (
	"context"
	"encoding/json"
	"net/http"

	"example.com/storefront/internal/kvrest"
)

// Tracking is written to KV by the carrier integration (a separate Worker).
type Tracking struct {
	Carrier  string `json:"carrier"`
	Number   string `json:"number"`
	URL      string `json:"url"`
	LastScan string `json:"last_scan"`
}

// TrackingReader reads carrier tracking documents over the REST API with the
// carrier integration's read-only token.
type TrackingReader struct {
	hc        *http.Client
	accountID string
	namespace string
}

// NewTrackingReader returns a reader; hc must add the API token.
func NewTrackingReader(hc *http.Client, accountID, namespace string) *TrackingReader {
	return &TrackingReader{hc: hc, accountID: accountID, namespace: namespace}
}

// Lookup returns the tracking document for an order.
func (t *TrackingReader) Lookup(ctx context.Context, orderID string) (Tracking, error) {
	var tr Tracking
	u := kvrest.ValueURL(t.accountID, t.namespace, "tracking:"+orderID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return tr, err
	}
	resp, err := t.hc.Do(req) // EXPECT kvnull
	if err != nil {
		return tr, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&tr)
	return tr, err
}
