package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// ErrBayTaken is returned when a loading bay holds another vehicle.
var ErrBayTaken = errors.New("schedule: bay occupied")

// Board is a depot's loading-bay board.
type Board struct {
	Depot     string            `json:"depot"`
	Bays      map[string]string `json:"bays"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// AssignBay puts vehicle on bay at depot.
func (p *Publisher) AssignBay(ctx context.Context, depot, bay, vehicle string) (err error) {
	key := "board:" + depot
	board := Board{Depot: depot, Bays: map[string]string{}}
	resp, err := p.KV.Namespaces.Values.Get(ctx, p.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.AccountID),
	})
	switch {
	case err == nil:
		derr := json.NewDecoder(resp.Body).Decode(&board)
		resp.Body.Close()
		if derr != nil {
			return derr
		}
	case !notFound(err):
		return err
	}

	defer func() {
		if err != nil {
			return
		}
		b, merr := json.Marshal(board)
		if merr != nil {
			err = merr
			return
		}
		_, err = p.KV.Namespaces.Values.Update(ctx, p.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
			AccountID: cloudflare.F(p.AccountID),
			Value:     cloudflare.F(string(b)),
		})
	}()

	if cur, ok := board.Bays[bay]; ok && cur != "" && cur != vehicle {
		return fmt.Errorf("%w: %s has %s", ErrBayTaken, bay, cur)
	}
	board.Bays[bay] = vehicle
	board.UpdatedAt = p.Clock.Now()
	return nil
}

// SeedDockGrid creates the dock booking grid of depot for the week starting at
// weekStart: one key per dock minute, each expiring a day after its minute.
func (p *Publisher) SeedDockGrid(ctx context.Context, depot string, weekStart time.Time) error {
	const minutesPerWeek = 7 * 24 * 60
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, minutesPerWeek)
	for i := range minutesPerWeek {
		t := weekStart.Add(time.Duration(i) * time.Minute)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("dock:" + depot + ":" + t.Format("200601021504")),
			Value:      cloudflare.F("free"),
			Expiration: cloudflare.F(float64(t.Add(24 * time.Hour).Unix())),
		})
	}
	res, err := p.KV.Namespaces.BulkUpdate(ctx, p.NamespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(p.AccountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("schedule: %d dock minutes not seeded", n)
	}
	return nil
}
