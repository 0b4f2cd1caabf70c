// Package edgecache serves catalogue data to the OPAC and kiosks from the
// CATALOG namespace, filling it from the ILS and the council open-data feed.
package edgecache

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// openingHoursFeed is the council open-data query for branch opening hours.
const openingHoursFeed = "https://opendata.example-council.gov.uk/api/3/action/datastore_search_sql?sql=" +
	"SELECT%20branch_code%2C%20branch_name%2C%20weekday%2C%20opens_at%2C%20closes_at%2C%20late_opening%2C%20" +
	"staffed_from%2C%20staffed_until%2C%20self_service_from%2C%20self_service_until%2C%20holiday_name%2C%20" +
	"holiday_date%2C%20effective_from%2C%20effective_until%2C%20notes%20FROM%20%22b6c2f1d0-library-opening-hours%22" +
	"%20WHERE%20service_type%20IN%20(%27library%27%2C%27library_and_hub%27%2C%27mobile_library%27)%20" +
	"AND%20effective_until%20%3E%3D%20CURRENT_DATE%20AND%20status%20%3D%20%27published%27%20" +
	"ORDER%20BY%20branch_code%20ASC%2C%20weekday%20ASC%2C%20effective_from%20DESC%20LIMIT%205000" +
	"&include_total=false&records_format=objects&api_version=3&fields=all&distinct=true"

// Upstream fetches from the ILS discovery API and the council feed.
type Upstream struct {
	Client  *http.Client
	ILSBase string
	Token   string
}

func (u Upstream) Get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(url, u.ILSBase) {
		req.Header.Set("Authorization", "Bearer "+u.Token)
	}
	res, err := u.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("edgecache: %s: %s", url, res.Status)
	}
	return io.ReadAll(io.LimitReader(res.Body, 4<<20))
}

// Arrival is one new title shown on the "just in" shelf.
type Arrival struct {
	ISBN  string    `json:"isbn"`
	Title string    `json:"title"`
	Added time.Time `json:"added"`
}

func decodeArrivals(raw string) ([]Arrival, error) {
	var out []Arrival
	err := json.Unmarshal([]byte(raw), &out)
	return out, err
}
