// Package guests lets members invite visitors and lets visitors buy day
// passes at the edge.
package guests

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/grebe/internal/config"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/httpx"
	"example.com/grebe/internal/saga"
	"example.com/grebe/internal/store"
)

// DoorCodes issues guest door codes.
type DoorCodes interface {
	Issue(ctx context.Context, site domain.SiteID, member domain.MemberID) (domain.DoorCode, error)
	Revoke(site domain.SiteID, code string) error
}

// Notifier tells hosts and guests what happened.
type Notifier interface {
	GuestInvited(ctx context.Context, to string, body []byte) error
	GuestArrived(ctx context.Context, host domain.MemberID, guest string) error
}

// Base holds what every member's scope shares.
type Base struct {
	store.Store
	invites *store.Repo[domain.GuestInvite]
	cfg     config.Config
	codes   DoorCodes
	notify  Notifier
	now     func() time.Time
}

// New builds the guest service on st.
func New(st store.Store, cfg config.Config, codes DoorCodes, n Notifier) *Base {
	return &Base{
		Store: st,
		invites: store.NewRepo[domain.GuestInvite](st, "invite:",
			store.WithTTL[domain.GuestInvite](cfg.InviteLifetime),
			store.WithPageLimit[domain.GuestInvite](1500)), // EXPECT kvlimits
		cfg:    cfg,
		codes:  codes,
		notify: n,
		now:    time.Now,
	}
}

// scope is one member's view of the guest data, created per request.
type scope struct {
	*Base
	user domain.MemberID
}

// For returns the scope of a member.
func (b *Base) For(m domain.MemberID) scope { return scope{Base: b, user: m} }

func (s scope) inviteID(id string) string { return string(s.user) + ":" + id }
func (s scope) quotaKey(month string) string {
	return "invite-count:" + string(s.user) + ":" + month
}
func (s scope) cartKey() string { return "cart:" + string(s.user) }

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// used returns how many invites the member sent this month.
func (s scope) used(ctx context.Context, month string) (int, error) {
	b, err := s.Get(ctx, s.quotaKey(month))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

// Invite creates a guest invite within the member's monthly allowance.
func (s scope) Invite(ctx context.Context, inv domain.GuestInvite, hostName, siteName string) (domain.GuestInvite, error) {
	month := s.now().UTC().Format("2006-01")
	n, err := s.used(ctx, month)
	if err != nil {
		return domain.GuestInvite{}, err
	}
	if n >= s.cfg.MaxInvitesPerMonth {
		return domain.GuestInvite{}, domain.ErrQuotaExceeded
	}
	inv.ID = newID()
	inv.Host = s.user
	inv.Status = domain.InvitePending
	if err := s.invites.Save(ctx, s.inviteID(inv.ID), inv); err != nil {
		return domain.GuestInvite{}, err
	}
	if err := s.Put(ctx, s.quotaKey(month), []byte(strconv.Itoa(n+1)), store.PutOptions{TTL: 40 * 24 * time.Hour}); err != nil { // EXPECT kvcounter
		return domain.GuestInvite{}, err
	}
	body, err := s.render(ctx, inv, hostName, siteName)
	if err != nil {
		return domain.GuestInvite{}, err
	}
	latest, _ := json.Marshal(map[string]string{"guest": inv.GuestName, "site": string(inv.Site), "day": inv.Day})
	if err := s.Put(ctx, "frontdesk:latest-invite", latest, store.PutOptions{}); err != nil { // EXPECT kvhotkey
		return domain.GuestInvite{}, err
	}
	return inv, s.notify.GuestInvited(ctx, inv.GuestEmail, body)
}

// Mine lists the IDs of the member's invites, at most 50.
func (s scope) Mine(ctx context.Context) ([]string, error) {
	prefix := "invite:" + string(s.user) + ":"
	var out []string
	cursor := ""
	for {
		page, err := s.List(ctx, store.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
			if len(out) >= 50 {
				return out, nil
			}
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Page returns one page of all invites for the admin console.
func (b *Base) Page(ctx context.Context, token string) ([]string, string, error) {
	cursor, err := httpx.DecodePageToken("invites", token)
	if err != nil {
		return nil, "", err
	}
	ids, next, err := b.invites.IDs(ctx, cursor)
	if err != nil {
		return nil, "", err
	}
	return ids, httpx.EncodePageToken("invites", next), nil
}

// Arrive checks a guest in at the front desk: the invite is marked as
// arrived, a door code is issued and the host is told. If telling the host
// fails, the earlier steps are taken back so the desk can retry.
func (s scope) Arrive(ctx context.Context, id string) (domain.DoorCode, error) {
	var before domain.GuestInvite
	var code domain.DoorCode
	err := saga.Run(ctx,
		saga.Step{
			Name: "mark-arrived",
			Do: func(ctx context.Context) error {
				return s.invites.Modify(ctx, s.inviteID(id), func(inv *domain.GuestInvite) error {
					if inv.Status != domain.InvitePending {
						return fmt.Errorf("%w: invite is %s", domain.ErrConflict, inv.Status)
					}
					before = *inv
					inv.Status = domain.InviteArrived
					return nil
				})
			},
			Undo: func(ctx context.Context) error {
				return s.invites.Save(ctx, s.inviteID(id), before) // DEBATABLE kvrace
			},
		},
		saga.Step{
			Name: "door-code",
			Do: func(ctx context.Context) error {
				var err error
				code, err = s.codes.Issue(ctx, before.Site, s.user)
				return err
			},
			Undo: func(ctx context.Context) error { return s.codes.Revoke(before.Site, code.Code) },
		},
		saga.Step{
			Name: "notify-host",
			Do:   func(ctx context.Context) error { return s.notify.GuestArrived(ctx, s.user, before.GuestName) },
		},
	)
	return code, err
}

// AddToCart adds a day pass to the visitor's cart. Visitors are scoped by
// their anonymous visitor ID rather than a member ID.
func (s scope) AddToCart(ctx context.Context, item domain.CartItem) ([]domain.CartItem, error) {
	var cart []domain.CartItem
	b, err := s.Get(ctx, s.cartKey())
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(b, &cart); err != nil {
			return nil, err
		}
	}
	merged := false
	for i := range cart {
		if cart[i].Site == item.Site && cart[i].Day == item.Day {
			cart[i].Quantity += item.Quantity
			merged = true
		}
	}
	if !merged {
		cart = append(cart, item)
	}
	out, _ := json.Marshal(cart)
	if err := s.Put(ctx, s.cartKey(), out, store.PutOptions{TTL: 48 * time.Hour}); err != nil { // EXPECT kvsession
		return nil, err
	}
	return cart, nil
}
