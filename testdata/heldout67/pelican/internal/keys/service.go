// Package keys issues, rotates and revokes developer API keys.
package keys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/models"
)

// rotationGrace is how long a rotated key keeps working so that clients
// can roll over to the new secret.
const rotationGrace = 30 * time.Second

// Service owns the API key lifecycle.
type Service struct {
	DB *gorm.DB
	KV *kvstore.Store
}

// Active limits a query to keys that are neither revoked nor deleted.
func Active(db *gorm.DB) *gorm.DB {
	return db.Where("revoked_at IS NULL")
}

// OwnedBy limits a query to one developer's keys.
func OwnedBy(devID uint) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB { return db.Where("developer_id = ?", devID) }
}

// OnPlan limits a query to keys on a plan.
func OnPlan(code string) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB { return db.Where("plan_code = ?", code) }
}

func newSecret() (plain, prefix, hash string, err error) {
	buf := make([]byte, 24)
	if _, err = rand.Read(buf); err != nil {
		return "", "", "", err
	}
	plain = "pk_live_" + hex.EncodeToString(buf)
	sum := sha256.Sum256([]byte(plain))
	return plain, plain[:12], hex.EncodeToString(sum[:]), nil
}

// Hash returns the stored hash of a plaintext key.
func Hash(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// Issue creates a key for a developer and returns its plaintext once.
func (s *Service) Issue(ctx context.Context, devID uint, scopes []string) (string, *models.APIKey, error) {
	plain, prefix, hash, err := newSecret()
	if err != nil {
		return "", nil, err
	}
	key := &models.APIKey{DeveloperID: devID, Prefix: prefix, Hash: hash, Scopes: strings.Join(scopes, " ")}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var dev models.Developer
		if err := tx.First(&dev, devID).Error; err != nil {
			return err
		}
		if dev.VerifiedAt == nil {
			return errors.New("keys: developer email is not verified")
		}
		key.PlanCode = dev.PlanCode
		if err := tx.Create(key).Error; err != nil {
			return err
		}
		return tx.Create(&models.AuditEntry{DeveloperID: devID, Action: "key.issued", Detail: prefix}).Error
	})
	if err != nil {
		return "", nil, err
	}
	if err := s.SetScopes(ctx, hash, scopes); err != nil {
		return "", nil, err
	}

	countKey := fmt.Sprintf("dev:%d:keycount", devID)
	n := 0
	if raw, err := s.KV.Get(ctx, countKey); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return plain, key, nil
	}
	if err := s.KV.Put(ctx, countKey, []byte(strconv.Itoa(n+1)), 0); err != nil { // EXPECT kvcounter|kvrace
		return "", nil, err
	}
	return plain, key, nil
}

// Rotate issues a replacement for keyID and lets the old secret live for a
// short grace period.
func (s *Service) Rotate(ctx context.Context, keyID uint) (string, error) {
	plain, prefix, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	var old models.APIKey
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Scopes(Active).First(&old, keyID).Error; err != nil {
			return err
		}
		next := models.APIKey{
			DeveloperID: old.DeveloperID, Prefix: prefix, Hash: hash,
			PlanCode: old.PlanCode, Scopes: old.Scopes,
		}
		return tx.Create(&next).Error
	})
	if err != nil {
		return "", err
	}
	body, _ := json.Marshal(models.EdgeKey{
		KeyID: old.ID, DeveloperID: old.DeveloperID, Plan: old.PlanCode, Scopes: old.Scopes, Status: "rotating",
	})
	if err := s.KV.PutAt(ctx, models.KeyName(old.Hash), body, time.Now().Add(rotationGrace)); err != nil { // EXPECT kvttl
		return "", err
	}
	return plain, nil
}

// Revoke marks a key revoked; the model hook publishes the revocation.
func (s *Service) Revoke(ctx context.Context, keyID uint) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var k models.APIKey
		if err := tx.First(&k, keyID).Error; err != nil {
			return err
		}
		now := time.Now()
		k.RevokedAt = &now
		if err := tx.Save(&k).Error; err != nil {
			return err
		}
		return tx.Create(&models.AuditEntry{DeveloperID: k.DeveloperID, Action: "key.revoked", Detail: k.Prefix}).Error
	})
}

type scopeSet map[string]bool

func (s *Service) loadScopes(ctx context.Context, hash string) (scopeSet, error) {
	set := scopeSet{}
	err := s.KV.GetJSON(ctx, "scopes:"+hash, &set)
	if errors.Is(err, kvstore.ErrNotFound) {
		return set, nil
	}
	return set, err
}

func (s *Service) saveScopes(ctx context.Context, hash string, set scopeSet) error {
	return s.KV.PutJSON(ctx, "scopes:"+hash, set, 0)
}

// SetScopes replaces a key's scopes.
func (s *Service) SetScopes(ctx context.Context, hash string, scopes []string) error {
	set := scopeSet{}
	for _, sc := range scopes {
		set[sc] = true
	}
	return s.saveScopes(ctx, hash, set)
}

// Grant adds one scope to a key.
func (s *Service) Grant(ctx context.Context, hash, scope string) error {
	set, err := s.loadScopes(ctx, hash)
	if err != nil {
		return err
	}
	if set[scope] {
		return nil
	}
	set[scope] = true
	return s.saveScopes(ctx, hash, set) // EXPECT kvrace
}

// LegacyRow is one key exported from the previous gateway.
type LegacyRow struct {
	LegacyID    string
	DeveloperID uint
	Secret      string
	Plan        string
}

// ImportLegacy moves keys from the old gateway into Pelican, recording the
// last imported row so an interrupted import can resume.
func (s *Service) ImportLegacy(ctx context.Context, rows []LegacyRow) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, row := range rows {
			k := models.APIKey{
				DeveloperID: row.DeveloperID, Prefix: row.Secret[:min(12, len(row.Secret))],
				Hash: Hash(row.Secret), PlanCode: row.Plan, Scopes: "read",
			}
			if err := tx.Create(&k).Error; err != nil {
				return fmt.Errorf("import %s: %w", row.LegacyID, err)
			}
			if err := s.KV.Put(ctx, "import:legacy:cursor", []byte(row.LegacyID), 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		return nil
	})
}

// PublishDeveloperKeys rewrites every active key of a developer at the edge,
// for example after a plan change.
func (s *Service) PublishDeveloperKeys(ctx context.Context, devID uint) error {
	var ks []models.APIKey
	if err := s.DB.WithContext(ctx).Scopes(Active, OwnedBy(devID)).Find(&ks).Error; err != nil {
		return err
	}
	entries := make([]kvstore.Entry, 0, len(ks))
	for _, k := range ks {
		body, err := json.Marshal(models.EdgeKey{KeyID: k.ID, DeveloperID: k.DeveloperID, Plan: k.PlanCode, Scopes: k.Scopes, Status: "active"})
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{Key: models.KeyName(k.Hash), Value: string(body)})
	}
	failed, err := s.KV.BulkPut(ctx, entries)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("keys: %d keys not published", len(failed))
	}
	return nil
}

// ChangePlan moves a developer and all of their keys to another plan.
func (s *Service) ChangePlan(ctx context.Context, devID uint, planCode string) error {
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.Developer{}).Where("id = ?", devID).Update("plan_code", planCode).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.APIKey{}).Scopes(OwnedBy(devID), Active).
			Session(&gorm.Session{SkipHooks: true}).Update("plan_code", planCode).Error; err != nil {
			return err
		}
		return tx.Create(&models.AuditEntry{DeveloperID: devID, Action: "plan.changed", Detail: planCode}).Error
	})
	if err != nil {
		return err
	}
	return s.PublishDeveloperKeys(ctx, devID)
}
