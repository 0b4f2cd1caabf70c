// Package edgesync registers GORM callbacks that keep the edge namespace in
// step with tables that have no model hooks of their own.
package edgesync

import (
	"encoding/json"
	"fmt"
	"log"
	"reflect"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/models"
)

type syncer struct {
	store *kvstore.Store
}

// Register installs the callbacks on db.
func Register(db *gorm.DB, store *kvstore.Store) error {
	s := &syncer{store: store}
	cb := db.Callback()
	if err := cb.Create().After("gorm:create").Register("edgesync:after_create", s.afterCreate); err != nil {
		return err
	}
	if err := cb.Update().After("gorm:update").Register("edgesync:after_update", s.afterUpdate); err != nil {
		return err
	}
	return cb.Delete().After("gorm:delete").Register("edgesync:after_delete", s.afterDelete)
}

// each calls fn for every element the statement wrote, whether Dest was a
// single struct or a slice of them.
func each(db *gorm.DB, fn func(v reflect.Value)) {
	rv := db.Statement.ReflectValue
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			fn(reflect.Indirect(rv.Index(i)))
		}
	case reflect.Struct:
		fn(rv)
	}
}

func (s *syncer) afterCreate(db *gorm.DB) {
	if db.Error != nil || db.Statement.Schema == nil {
		return
	}
	ctx := db.Statement.Context
	switch db.Statement.Schema.Table {
	case "quota_overrides":
		each(db, func(v reflect.Value) {
			o, ok := v.Addr().Interface().(*models.QuotaOverride)
			if !ok {
				return
			}
			body := []byte(strconv.Itoa(o.RequestsPerMinute))
			if err := s.store.Put(ctx, "limits:"+o.KeyHash, body, 0); err != nil {
				db.AddError(err)
			}
		})
	case "plans":
		each(db, func(v reflect.Value) {
			p, ok := v.Addr().Interface().(*models.Plan)
			if !ok {
				return
			}
			body, err := json.Marshal(models.EdgePlan{Code: p.Code, PerMinute: p.RequestsPerMinute, PerDay: p.RequestsPerDay})
			if err == nil {
				err = s.store.Put(ctx, models.PlanName(p.Code), body, 0)
			}
			if err != nil {
				db.AddError(err)
			}
		})
	case "audit_entries":
		each(db, func(v reflect.Value) {
			e, ok := v.Addr().Interface().(*models.AuditEntry)
			if !ok || e.Action != "plan.changed" {
				return
			}
			key := fmt.Sprintf("audit:%d:%d", e.DeveloperID, e.ID)
			if err := s.store.Put(ctx, key, []byte(e.Detail), 90*24*time.Hour); err != nil {
				log.Printf("edgesync: audit mirror: %v", err)
			}
		})
	}
}

func (s *syncer) afterUpdate(db *gorm.DB) {
	if db.Error != nil || db.Statement.Schema == nil || db.Statement.Schema.Table != "plans" {
		return
	}
	ctx := db.Statement.Context
	etag := strconv.FormatInt(time.Now().UnixNano(), 36)
	each(db, func(v reflect.Value) {
		p, ok := v.Addr().Interface().(*models.Plan)
		if !ok || p.Code == "" {
			return
		}
		body, err := json.Marshal(models.EdgePlan{Code: p.Code, PerMinute: p.RequestsPerMinute, PerDay: p.RequestsPerDay})
		if err != nil {
			db.AddError(err)
			return
		}
		if err := s.store.Put(ctx, models.PlanName(p.Code), body, 0); err != nil {
			db.AddError(err)
			return
		}
		if err := s.store.Put(ctx, "plans:etag", []byte(etag), 0); err != nil { // EXPECT kvhotkey
			db.AddError(err)
		}
	})
}

func (s *syncer) afterDelete(db *gorm.DB) {
	if db.Error != nil || db.Statement.Schema == nil {
		return
	}
	ctx := db.Statement.Context
	switch m := db.Statement.Model.(type) {
	case *models.Session:
		if m.ID != "" {
			if err := s.store.Delete(ctx, "sess:"+m.ID); err != nil { // EXPECT kvsession
				db.AddError(err)
			}
		}
	case *models.Developer:
		if m.Slug != "" {
			if err := s.store.Delete(ctx, "slug:"+m.Slug); err != nil {
				db.AddError(err)
			}
		}
	case *models.QuotaOverride:
		if err := s.store.Delete(ctx, "limits:"+m.KeyHash); err != nil {
			db.AddError(err)
		}
	}
}
