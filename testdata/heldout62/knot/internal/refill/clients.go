package refill

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// PharmacyClient is the pharmacy network's e-prescribing API.
type PharmacyClient struct {
	Base, Token string
	HTTP        *http.Client
}

func (c *PharmacyClient) do(ctx context.Context, method, path string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (c *PharmacyClient) Submit(ctx context.Context, pharmacyID, rxNumber string, quantity int) (string, error) {
	var out struct{ Reference string }
	err := c.do(ctx, http.MethodPost, "/fills", map[string]any{"pharmacy_id": pharmacyID, "rx_number": rxNumber, "quantity": quantity}, &out)
	return out.Reference, err
}

func (c *PharmacyClient) Status(ctx context.Context, rxNumber string) (string, error) {
	var out struct{ Status string }
	err := c.do(ctx, http.MethodGet, "/fills/"+url.PathEscape(rxNumber), nil, &out)
	return out.Status, err
}

// NewPharmacyClient returns a client with timeouts suited to the network's SLA.
func NewPharmacyClient(base, token string) *PharmacyClient {
	return &PharmacyClient{Base: base, Token: token, HTTP: &http.Client{Timeout: 2 * time.Minute}}
}
