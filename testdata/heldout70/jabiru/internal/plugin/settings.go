package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/jabiru-observability/jabiru/internal/orgs"
)

// jsonData is what the data source's config editor stores in JSONData.
type jsonData struct {
	AccountID       string `json:"accountId"`
	NamespaceID     string `json:"namespaceId"`
	UpstreamURL     string `json:"upstreamUrl"`
	QueryCacheTTL   string `json:"queryCacheTtl"`
	SnapshotTTL     string `json:"snapshotTtl"`
	QueriesPerHour  int64  `json:"queriesPerHour"`
	MaxListPages    int    `json:"maxListPages"`
	AnnotationsKept int    `json:"annotationsKept"`
	StatsFlushEvery int64  `json:"statsFlushEvery"`
}

// Settings are the parsed data source settings.
type Settings struct {
	AccountID   string
	NamespaceID string
	UpstreamURL string
	APIToken    string
	UpstreamKey string
	FlushEvery  int64
	Limits      orgs.Limits
}

// LoadSettings parses the instance settings Grafana hands the factory.
func LoadSettings(s backend.DataSourceInstanceSettings) (*Settings, error) {
	var jd jsonData
	if len(s.JSONData) > 0 {
		if err := json.Unmarshal(s.JSONData, &jd); err != nil {
			return nil, fmt.Errorf("jsonData: %w", err)
		}
	}
	out := &Settings{
		AccountID:   jd.AccountID,
		NamespaceID: jd.NamespaceID,
		UpstreamURL: jd.UpstreamURL,
		APIToken:    s.DecryptedSecureJSONData["apiToken"],
		UpstreamKey: s.DecryptedSecureJSONData["upstreamKey"],
		FlushEvery:  jd.StatsFlushEvery,
		Limits: orgs.Limits{
			QueriesPerHour:  jd.QueriesPerHour,
			MaxListPages:    jd.MaxListPages,
			AnnotationsKept: jd.AnnotationsKept,
			QueryCacheTTL:   5 * time.Minute,
			SnapshotTTL:     7 * 24 * time.Hour,
		},
	}
	if out.UpstreamURL == "" {
		out.UpstreamURL = s.URL
	}
	var err error
	if jd.QueryCacheTTL != "" {
		if out.Limits.QueryCacheTTL, err = time.ParseDuration(jd.QueryCacheTTL); err != nil {
			return nil, fmt.Errorf("queryCacheTtl: %w", err)
		}
	}
	if jd.SnapshotTTL != "" {
		if out.Limits.SnapshotTTL, err = time.ParseDuration(jd.SnapshotTTL); err != nil {
			return nil, fmt.Errorf("snapshotTtl: %w", err)
		}
	}
	if out.Limits.MaxListPages <= 0 {
		out.Limits.MaxListPages = 5
	}
	switch {
	case out.AccountID == "" || out.NamespaceID == "":
		return nil, errors.New("accountId and namespaceId are required")
	case out.APIToken == "":
		return nil, errors.New("the apiToken secret is required")
	}
	return out, nil
}
