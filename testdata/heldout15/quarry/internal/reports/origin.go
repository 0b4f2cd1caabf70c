package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"example.com/quarry/internal/ids"
)

// HTTPRunner runs queries on the origin API.
type HTTPRunner struct {
	Client  *http.Client
	BaseURL string
	Token   string
}

func (h *HTTPRunner) post(ctx context.Context, path string, body any) ([]Row, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+h.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("origin: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Rows  []Row  `json:"rows"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&out); err != nil || resp.StatusCode >= 300 {
		return nil, fmt.Errorf("origin: %s: %s %v", resp.Status, out.Error, err)
	}
	if len(out.Rows) == 0 {
		return nil, ErrNoRows
	}
	return out.Rows, nil
}

func (h *HTTPRunner) Run(ctx context.Context, acct ids.AccountID, q ids.QueryID, limit int) ([]Row, error) {
	path := "/v1/accounts/" + url.PathEscape(acct.String()) + "/queries/" + url.PathEscape(q.String()) + "/run"
	return h.post(ctx, path, map[string]int{"limit": limit})
}

func (h *HTTPRunner) RunSQL(ctx context.Context, sql string) ([]Row, error) {
	return h.post(ctx, "/v1/internal/sql", map[string]string{"sql": sql})
}
