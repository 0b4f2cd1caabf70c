package graph

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// Catalog reads events and seat maps from Postgres, the source of truth.
type Catalog struct {
	DB *sql.DB
}

func (c *Catalog) Event(ctx context.Context, id string) (*ticketing.Event, error) {
	var ev ticketing.Event
	err := c.DB.QueryRowContext(ctx, `
		SELECT id, slug, title, venue, starts_at, capacity, org_id, on_sale_at, updated_at
		FROM events WHERE id = $1`, id).
		Scan(&ev.ID, &ev.Slug, &ev.Title, &ev.Venue, &ev.StartsAt, &ev.Capacity, &ev.OrgID, &ev.OnSaleAt, &ev.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("catalog: event %s: %w", id, err)
	}
	return &ev, nil
}

func (c *Catalog) SetSlug(ctx context.Context, id, slug string) error {
	_, err := c.DB.ExecContext(ctx, `UPDATE events SET slug = $2, updated_at = now() WHERE id = $1`, id, slug)
	return err
}

func (c *Catalog) SeatMapSVG(ctx context.Context, eventID string) (string, error) {
	var svg string
	err := c.DB.QueryRowContext(ctx, `
		SELECT v.seat_map_svg FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = $1`, eventID).Scan(&svg)
	return svg, err
}

func (c *Catalog) OrganiserUser(ctx context.Context, orgID, email string) (string, error) {
	var userID string
	err := c.DB.QueryRowContext(ctx, `
		SELECT id FROM organiser_users WHERE org_id = $1 AND lower(email) = lower($2)`, orgID, email).Scan(&userID)
	return userID, err
}
