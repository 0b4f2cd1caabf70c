// Package reports publishes rendered reports to KV for the dashboard worker.
package reports

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"kvlint.test/corpus/backend/kvclient"
)

// Report is one rendered report.
type Report struct {
	ID   string `json:"id"`
	HTML string `json:"html"`
}

// ReportCacheFor is how long the dashboard may show a report.
const ReportCacheFor = 10 * time.Minute

// Publisher writes reports.
type Publisher struct {
	KV *kvclient.Client
}

// Publish stores the report for the dashboard.
func (p *Publisher) Publish(ctx context.Context, r Report) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return p.KV.Put(ctx, "report:"+r.ID, data, ReportCacheFor)
}

// PublishPreview stores a preview that the editor polls while typing.
func (p *Publisher) PublishPreview(ctx context.Context, r Report) error {
	data, _ := json.Marshal(r)
	return p.KV.Put(ctx, "report-preview:"+r.ID, data, 30*time.Second) // EXPECT kvttl
}

// AddTag appends a tag to the report's tag list.
func (p *Publisher) AddTag(ctx context.Context, id, tag string) error {
	cur, err := p.KV.Get(ctx, "report-tags:"+id)
	if err != nil && !strings.Contains(err.Error(), "10009") { // key not found
		return err
	}
	tags := strings.Fields(string(cur))
	tags = append(tags, tag)
	return p.KV.Put(ctx, "report-tags:"+id, []byte(strings.Join(tags, " ")), 0) // EXPECT kvrace
}

// Archive moves a report to the archive key, unchanged.
func (p *Publisher) Archive(ctx context.Context, id string) error {
	cur, err := p.KV.Get(ctx, "report:"+id)
	if err != nil {
		return err
	}
	if err := p.KV.Put(ctx, "archive:report:"+id, cur, 365*24*time.Hour); err != nil {
		return err
	}
	return p.KV.Delete(ctx, "report:"+id)
}
