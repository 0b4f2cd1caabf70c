// Package registry is a minimal client for the device registry service,
// the system of record for devices, fleets and firmware builds.
package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client talks to the registry over HTTP.
type Client struct {
	BaseURL string
	APIKey  string
	HTTP    *http.Client
}

// Device is the registry's view of a device.
type Device struct {
	ID       string `json:"id"`
	Serial   string `json:"serial"`
	Fleet    string `json:"fleet"`
	Model    string `json:"model"`
	Firmware string `json:"firmware"`
}

// Build is a firmware build.
type Build struct {
	Version string    `json:"version"`
	Model   string    `json:"model"`
	SHA256  string    `json:"sha256"`
	URL     string    `json:"url"`
	Size    int64     `json:"size"`
	Built   time.Time `json:"built"`
}

// Raw performs a GET on path (which may carry a query) and returns the body.
func (c *Client) Raw(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.APIKey)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("registry: GET %s: %s", path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	raw, err := c.Raw(ctx, path)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Device fetches one device.
func (c *Client) Device(ctx context.Context, id string) (d Device, err error) {
	err = c.getJSON(ctx, "/v1/devices/"+id, &d)
	return d, err
}

// Build fetches a firmware build for a model.
func (c *Client) Build(ctx context.Context, model, version string) (b Build, err error) {
	err = c.getJSON(ctx, fmt.Sprintf("/v1/models/%s/builds/%s", model, version), &b)
	return b, err
}

// FleetDevices lists the devices of a fleet.
func (c *Client) FleetDevices(ctx context.Context, fleet string) (ds []Device, err error) {
	err = c.getJSON(ctx, "/v1/fleets/"+fleet+"/devices", &ds)
	return ds, err
}
