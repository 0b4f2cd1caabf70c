package api

import (
	"context"
	"net/http"
	"time"

	"example.com/wicket/internal/domain/catalog"
	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/domain/rooms"
	"example.com/wicket/internal/httpx"
	"example.com/wicket/internal/kiosk"
	"example.com/wicket/internal/seats"
	"example.com/wicket/internal/sessions"
)

// parse validates one field, mapping failures to 400.
func parse[T any](raw string, ctor func(string) (T, error)) (T, error) {
	v, err := ctor(raw)
	if err != nil {
		return v, httpx.Status(http.StatusBadRequest, err.Error(), err)
	}
	return v, nil
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	if err := s.Guard.AllowSignIn(r); err != nil {
		return httpx.Status(http.StatusTooManyRequests, "too many attempts", err)
	}
	var in struct{ Card, PIN, Kiosk string }
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	card, err := parse(in.Card, patron.NewCardNumber)
	if err != nil {
		return err
	}
	pin, err := parse(in.PIN, patron.NewPIN)
	if err != nil {
		return err
	}
	p, err := s.Dir.VerifyPIN(r.Context(), card, pin)
	if err != nil {
		return httpx.Status(http.StatusUnauthorized, "card or PIN not recognised", err)
	}
	start := s.Sessions.Start
	if in.Kiosk != "" {
		start = func(ctx context.Context, id patron.ID, branch string) (sessions.Session, error) {
			return s.Sessions.StartKiosk(ctx, id, branch, in.Kiosk)
		}
	}
	sess, err := start(r.Context(), p.ID, p.HomeBranch)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.Sessions.Cookie(sess))
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"patron": p.Name, "expires": sess.ExpiresAt})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	sess, _ := sessionFrom(r.Context())
	if err := s.Sessions.End(r.Context(), sess.ID); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.Sessions.CookieName(), MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// copyAction handles the endpoints that take {"copy": "..."}.
func (s *Server) copyAction(act func(context.Context, sessions.Session, catalog.CopyID) (any, error)) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		sess, _ := sessionFrom(r.Context())
		var in struct{ Copy string }
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		c, err := parse(in.Copy, catalog.NewCopyID)
		if err != nil {
			return err
		}
		out, err := act(r.Context(), sess, c)
		if err != nil {
			return mapErr(err)
		}
		return httpx.WriteJSON(w, http.StatusOK, out)
	}
}

func (s *Server) checkout(ctx context.Context, sess sessions.Session, c catalog.CopyID) (any, error) {
	return s.Loans.Checkout(ctx, sess.Patron, c)
}

func (s *Server) scan(ctx context.Context, sess sessions.Session, c catalog.CopyID) (any, error) {
	return s.Sessions.Scan(ctx, sess, c)
}

func (s *Server) renew(r *http.Request) (any, error) {
	c, err := parse(r.PathValue("copy"), catalog.NewCopyID)
	if err != nil {
		return nil, err
	}
	loan, err := s.Loans.Renew(r.Context(), c)
	return loan, mapErr(err)
}

func (s *Server) placeHold(w http.ResponseWriter, r *http.Request) error {
	sess, _ := sessionFrom(r.Context())
	var in struct{ ISBN string }
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	isbn, err := parse(in.ISBN, catalog.NewISBN)
	if err != nil {
		return err
	}
	pos, err := s.Loans.PlaceHold(r.Context(), isbn, sess.Patron)
	if err != nil {
		return mapErr(err)
	}
	return httpx.WriteJSON(w, http.StatusCreated, map[string]int{"position": pos})
}

func (s *Server) holdStatus(r *http.Request) (any, error) {
	sess, _ := sessionFrom(r.Context())
	isbn, err := parse(r.PathValue("isbn"), catalog.NewISBN)
	if err != nil {
		return nil, err
	}
	pos, err := s.Loans.Position(r.Context(), isbn, sess.Patron)
	return map[string]int{"position": pos}, err
}

// seatAction decodes a seat request and runs one booking use case.
func (s *Server) seatAction(act func(context.Context, sessions.Session, seats.Request) (int, error)) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		sess, _ := sessionFrom(r.Context())
		var in struct {
			Room, Seat string
			Start      time.Time
			Hours      int
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		room, err := parse(in.Room, rooms.NewRoomID)
		if err != nil {
			return err
		}
		seat, err := parse(in.Seat, rooms.NewSeatID)
		if err != nil {
			return err
		}
		slot, err := rooms.NewSlot(in.Start, in.Hours)
		if err != nil {
			return httpx.Status(http.StatusBadRequest, err.Error(), err)
		}
		code, err := act(r.Context(), sess, seats.Request{Room: room, Seat: seat, Slot: slot, Patron: sess.Patron})
		if err != nil {
			return mapErr(err)
		}
		w.WriteHeader(code)
		return nil
	}
}

func (s *Server) holdSeat(ctx context.Context, sess sessions.Session, req seats.Request) (int, error) {
	return http.StatusNoContent, s.Seats.Hold(ctx, req, sess.ID)
}

func (s *Server) bookSeat(ctx context.Context, _ sessions.Session, req seats.Request) (int, error) {
	_, err := s.Seats.Book(ctx, req)
	return http.StatusCreated, err
}

func (s *Server) roomBookings(r *http.Request) (any, error) {
	room, err := parse(r.PathValue("room"), rooms.NewRoomID)
	if err != nil {
		return nil, err
	}
	list, next, err := s.Seats.Bookings(r.Context(), room, r.URL.Query().Get("cursor"))
	return map[string]any{"bookings": list, "cursor": next}, err
}

func (s *Server) requestReset(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Card string }
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	card, err := parse(in.Card, patron.NewCardNumber)
	if err != nil {
		return err
	}
	if p, err := s.Dir.ByCard(r.Context(), card); err == nil && p.Email != "" {
		code, err := s.Sessions.IssueResetCode(r.Context(), card)
		if err != nil {
			return err
		}
		if err := s.Mail.SendResetCode(r.Context(), p.Email, code); err != nil {
			return err
		}
	}
	// Same answer whether or not the card exists.
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *Server) redeemReset(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Card, Code, NewPIN string }
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	card, err := parse(in.Card, patron.NewCardNumber)
	if err != nil {
		return err
	}
	pin, err := parse(in.NewPIN, patron.NewPIN)
	if err != nil {
		return err
	}
	if err := s.Sessions.RedeemResetCode(r.Context(), card, in.Code); err != nil {
		return mapErr(err)
	}
	if err := s.Dir.SetPIN(r.Context(), card, pin); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) revokeDoorCode(w http.ResponseWriter, r *http.Request) error {
	if err := s.Doors.Revoke(r.Context(), r.PathValue("lock"), r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) doorCodes(r *http.Request) (any, error) {
	codes, next, err := s.Doors.ActiveCodes(r.Context(), r.PathValue("lock"), r.URL.Query().Get("cursor"))
	return map[string]any{"codes": codes, "cursor": next}, err
}

func (s *Server) registerKiosk(w http.ResponseWriter, r *http.Request) error {
	var in kiosk.Info
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := parse(string(in.ID), kiosk.NewID); err != nil {
		return err
	}
	if err := s.Kiosks.Register(r.Context(), in); err != nil {
		return mapErr(err)
	}
	return httpx.WriteJSON(w, http.StatusCreated, in)
}

func (s *Server) listKiosks(r *http.Request) (any, error) {
	if branch := r.URL.Query().Get("branch"); branch != "" {
		ids, truncated, err := s.Kiosks.BranchIDs(r.Context(), branch, 5)
		return map[string]any{"kiosks": ids, "truncated": truncated}, err
	}
	ids, err := s.Kiosks.AllIDs(r.Context())
	return map[string]any{"kiosks": ids}, err
}
