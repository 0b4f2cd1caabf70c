package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/fleetbite/woodcock/internal/dispatch"
	dispatchv1 "github.com/fleetbite/woodcock/internal/gen/dispatch/v1"
	"github.com/fleetbite/woodcock/internal/menu"
	"github.com/fleetbite/woodcock/internal/menu/menuapi"
)

// serviceClient reaches the internal roster, routing and catalog services
// through the service mesh gateway.
type serviceClient struct {
	base string
	hc   *http.Client
}

var (
	_ dispatch.Roster = (*serviceClient)(nil)
	_ dispatch.Router = (*serviceClient)(nil)
	_ menu.Catalog    = (*serviceClient)(nil)
)

func newServiceClient(base string) *serviceClient {
	return &serviceClient{base: base, hc: &http.Client{Timeout: 5 * time.Second}}
}

func (c *serviceClient) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return errNotFound
	case res.StatusCode != http.StatusOK:
		return fmt.Errorf("%s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

var errNotFound = errors.New("not found")

func (c *serviceClient) Courier(ctx context.Context, courierID string) (*dispatchv1.CourierProfile, error) {
	var p dispatchv1.CourierProfile
	return &p, c.get(ctx, "/roster/couriers/"+url.PathEscape(courierID), &p)
}

func (c *serviceClient) Eta(ctx context.Context, restaurantID, geohash string) (time.Duration, error) {
	var out struct {
		Seconds int `json:"seconds"`
	}
	err := c.get(ctx, "/routing/eta?from="+url.QueryEscape(restaurantID)+"&to="+url.QueryEscape(geohash), &out)
	return time.Duration(out.Seconds) * time.Second, err
}

func (c *serviceClient) Menu(ctx context.Context, restaurantID, locale string) (*menuapi.Menu, error) {
	var m menuapi.Menu
	err := c.get(ctx, "/catalog/restaurants/"+url.PathEscape(restaurantID)+"/menu?locale="+url.QueryEscape(locale), &m)
	if errors.Is(err, errNotFound) {
		return nil, menu.ErrNoMenu
	}
	return &m, err
}
