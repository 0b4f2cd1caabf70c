package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/confhub/puffin/internal/badges"
	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
	"github.com/confhub/puffin/internal/roster"
	"github.com/confhub/puffin/internal/speakers"
	"github.com/confhub/puffin/internal/waitlist"
)

const lastActivityKey = "pf:admin:last-activity"

// statusError carries an HTTP status out of an endpoint body.
type statusError struct {
	status int
	msg    string
}

func (e statusError) Error() string { return e.msg }

// endpoint is the body of a dashboard API call: it returns the status and
// the JSON response.
type endpoint func(ctx context.Context, req *http.Request) (int, any, error)

// serve runs an endpoint with the request deadline and writes its result.
func serve(fn endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 15*time.Second)
		defer cancel()
		status, body, err := fn(ctx, req)
		var se statusError
		switch {
		case errors.As(err, &se):
			http.Error(w, se.msg, se.status)
		case err != nil:
			log.Printf("admin: %s %s: %v", req.Method, req.URL.Path, err)
			http.Error(w, "upstream error", http.StatusBadGateway)
		case body == nil:
			w.WriteHeader(status)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(body)
		}
	}
}

// dashboardHome serves the event overview and records when organisers last
// used the dashboard, for the on-call handover note.
func dashboardHome(store *kvx.Store, r *roster.Roster) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 15*time.Second)
		defer cancel()
		defer store.Put(ctx, lastActivityKey, []byte(time.Now().UTC().Format(time.RFC3339)), 0) // EXPECT kvhotkey

		snap, err := r.Overview(ctx, req.PathValue("event"))
		if err != nil {
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		preview, err := r.Preview(ctx, req.PathValue("event"))
		if err != nil {
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"overview": snap, "preview": preview})
	}
}

// listAttendees serves the attendee table one page at a time.
func listAttendees(r *roster.Roster, pageSize int) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		rows, next, err := r.Page(ctx, req.PathValue("event"), req.URL.Query().Get("cursor"), pageSize)
		return http.StatusOK, map[string]any{"rows": rows, "cursor": next}, err
	})
}

// exportCSV serves the full attendee list as CSV.
func exportCSV(r *roster.Roster) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		rows, err := r.All(req.Context(), req.PathValue("event"))
		if err != nil {
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Disposition", `attachment; filename="attendees.csv"`)
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"badge", "name", "company", "ticket", "status"})
		for _, row := range rows {
			_ = cw.Write([]string{row.Badge, row.Name, row.Company, row.Ticket, row.Status})
		}
		cw.Flush()
	}
}

// badgeDrawer serves full badge records for the side drawer.
func badgeDrawer(r *roster.Roster) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		out, next, err := r.Details(ctx, req.PathValue("event"), req.URL.Query().Get("cursor"))
		return http.StatusOK, map[string]any{"badges": out, "cursor": next}, err
	})
}

// badgeDetail serves one badge with its QR payload.
func badgeDetail(b *badges.Badges) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		k := keys.BadgeKey{Event: req.PathValue("event"), ID: req.PathValue("id")}
		if err := b.RecordView(ctx, k); err != nil {
			log.Printf("admin: views %s: %v", k, err)
		}
		return http.StatusOK, map[string]any{"badge": k.ID, "qr": b.QR(k)}, nil
	})
}

// badgeAction runs a bulk badge operation over the selected badges.
func badgeAction(b *badges.Badges) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		var body struct {
			Badges []string `json:"badges"`
			Reason string   `json:"reason"`
		}
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
			return 0, nil, statusError{http.StatusBadRequest, "bad request"}
		}
		sel := make([]keys.BadgeKey, 0, len(body.Badges))
		for _, id := range body.Badges {
			sel = append(sel, keys.BadgeKey{Event: req.PathValue("event"), ID: id})
		}
		res, err := b.Apply(ctx, req.PathValue("action"), sel, body.Reason)
		if errors.Is(err, badges.ErrUnknownAction) {
			return 0, nil, statusError{http.StatusNotFound, err.Error()}
		}
		return http.StatusOK, res, err
	})
}

func talkOf(req *http.Request) keys.TalkKey {
	return keys.TalkKey{Event: req.PathValue("event"), Talk: req.PathValue("talk")}
}

func joinWaitlist(wl *waitlist.Service) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		pos, err := wl.Join(ctx, talkOf(req), req.FormValue("attendee"))
		if errors.Is(err, waitlist.ErrAlreadyWaiting) {
			return 0, nil, statusError{http.StatusConflict, err.Error()}
		}
		return http.StatusCreated, map[string]int{"position": pos}, err
	})
}

func promote(wl *waitlist.Service) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		seats, err := strconv.Atoi(req.FormValue("seats"))
		if err != nil || seats < 1 {
			return 0, nil, statusError{http.StatusBadRequest, "seats must be a positive number"}
		}
		promoted, err := wl.Promote(ctx, talkOf(req), seats)
		return http.StatusOK, promoted, err
	})
}

func claimSlug(sp *speakers.Service) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		err := sp.Claim(ctx, req.PathValue("id"), req.FormValue("slug"))
		if errors.Is(err, speakers.ErrSlugTaken) {
			return 0, nil, statusError{http.StatusConflict, "slug taken"}
		}
		return http.StatusNoContent, nil, err
	})
}

func updateBio(sp *speakers.Service) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		var body struct {
			Bio string `json:"bio"`
		}
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil || len(body.Bio) > 4000 {
			return 0, nil, statusError{http.StatusBadRequest, "bad bio"}
		}
		return http.StatusNoContent, nil, sp.UpdateBio(ctx, req.PathValue("id"), body.Bio)
	})
}

func speakerPhoto(sp *speakers.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		url, err := sp.PhotoURL(req.Context(), req.PathValue("id"))
		if err != nil {
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		http.Redirect(w, req, url, http.StatusFound)
	}
}

// tokens serves create (POST /speakers/{id}/tokens), revoke (DELETE
// /tokens/{token}) and rotate (POST /tokens/{token}/rotate).
func tokens(sp *speakers.Service, op string) http.HandlerFunc {
	return serve(func(ctx context.Context, req *http.Request) (int, any, error) {
		switch op {
		case "create":
			tok, err := sp.CreateToken(ctx, req.PathValue("id"), req.FormValue("label"))
			return http.StatusCreated, map[string]string{"token": tok}, err
		case "revoke":
			return http.StatusNoContent, nil, sp.RevokeToken(ctx, req.PathValue("token"))
		default:
			tok, err := sp.RotateToken(ctx, req.PathValue("token"))
			if kvx.IsNotFound(err) {
				return 0, nil, statusError{http.StatusNotFound, "unknown token"}
			}
			return http.StatusOK, map[string]string{"token": tok}, err
		}
	})
}
