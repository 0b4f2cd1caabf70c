// Package jobs records job runs so that the status page worker can show them.
package jobs

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Run is one execution of a job.
type Run struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Finished time.Time `json:"finished"`
}

// History stores runs in KV.
type History struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
}

// NewHistory builds a History from an API token.
func NewHistory(token, accountID, nsID string) *History {
	return &History{client: cloudflare.NewClient(option.WithAPIToken(token)), accountID: accountID, nsID: nsID}
}

func (h *History) load(ctx context.Context, key string) ([]Run, error) {
	res, err := h.client.KV.Namespaces.Values.Get(ctx, h.nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(h.accountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return nil, nil
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	var runs []Run
	return runs, json.Unmarshal(body, &runs)
}

// Record appends a run to the job's history, keeping the last 50.
func (h *History) Record(ctx context.Context, job string, r Run) error {
	key := "runs:" + job
	runs, err := h.load(ctx, key)
	if err != nil {
		return err
	}
	runs = append(runs, r)
	if len(runs) > 50 {
		runs = runs[len(runs)-50:]
	}
	data, _ := json.Marshal(runs)
	_, err = h.client.KV.Namespaces.Values.Update(ctx, h.nsID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(h.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(data)),
	})
	return err
}

// RecordRun writes each run under its own key: no read, no lost update.
func (h *History) RecordRun(ctx context.Context, job string, r Run) error {
	data, _ := json.Marshal(r)
	_, err := h.client.KV.Namespaces.Values.Update(ctx, h.nsID, "run:"+job+":"+r.ID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(h.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(data)),
		ExpirationTTL: cloudflare.F(float64(30 * 24 * 3600)),
	})
	return err
}

// LatestFromHistory publishes the newest run of a job under a separate key.
func (h *History) LatestFromHistory(ctx context.Context, job string) error {
	runs, err := h.load(ctx, "runs:"+job)
	if err != nil || len(runs) == 0 {
		return err
	}
	last := runs[len(runs)-1]
	last.Status = "latest:" + last.Status
	data, _ := json.Marshal(last)
	_, err = h.client.KV.Namespaces.Values.Update(ctx, h.nsID, "latest-run:"+job, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(h.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(data)),
	})
	return err
}
