package tfprovider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// hostnameResource attaches a custom hostname to a site. A hostname can
// belong to one site only.
type hostnameResource struct{ store *kvrest.Store }

type hostnameModel struct {
	Hostname types.String `tfsdk:"hostname"`
	SiteID   types.String `tfsdk:"site_id"`
}

func newHostnameResource() resource.Resource { return &hostnameResource{} }

func (r *hostnameResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_hostname"
}

func (r *hostnameResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"hostname": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{lowercaseHost{}, stringplanmodifier.RequiresReplace()}},
			"site_id":  schema.StringAttribute{Required: true, Validators: []validator.String{slug{}}, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		},
	}
}

func (r *hostnameResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *hostnameResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan hostnameModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	key := site.HostnameKey(plan.Hostname.ValueString())
	owner, err := r.store.Get(ctx, key)
	switch {
	case err == nil:
		if string(owner) != plan.SiteID.ValueString() {
			resp.Diagnostics.AddAttributeError(path.Root("hostname"), "Hostname already in use",
				fmt.Sprintf("%s is attached to another site", plan.Hostname.ValueString()))
			return
		}
	case !errors.Is(err, kvrest.ErrNotFound):
		resp.Diagnostics.AddError("Checking hostname", err.Error())
		return
	}
	if err := r.store.Put(ctx, key, plan.SiteID.ValueString(), 0); err != nil { // EXPECT kvrace
		resp.Diagnostics.AddError("Attaching hostname", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *hostnameResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state hostnameModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, err := r.store.Get(ctx, site.HostnameKey(state.Hostname.ValueString()))
	if errors.Is(err, kvrest.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading hostname", err.Error())
		return
	}
	state.SiteID = types.StringValue(string(owner))
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *hostnameResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Unexpected update", "every attribute of trogon_hostname forces replacement")
}

func (r *hostnameResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state hostnameModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.store.Delete(ctx, site.HostnameKey(state.Hostname.ValueString())); err != nil {
		resp.Diagnostics.AddError("Detaching hostname", err.Error())
	}
}

// maintenanceResource puts a site into maintenance mode until ends_at. The
// Worker serves the message instead of the site while the key exists.
type maintenanceResource struct{ store *kvrest.Store }

type maintenanceModel struct {
	SiteID  types.String `tfsdk:"site_id"`
	Message types.String `tfsdk:"message"`
	EndsAt  types.String `tfsdk:"ends_at"`
}

func newMaintenanceResource() resource.Resource { return &maintenanceResource{} }

func (r *maintenanceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_maintenance_window"
}

func (r *maintenanceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"site_id": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"message": schema.StringAttribute{Required: true},
			"ends_at": schema.StringAttribute{Required: true, Description: "RFC 3339 timestamp."},
		},
	}
}

func (r *maintenanceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func maintenanceKey(siteID string) string { return "maint/" + siteID }

func (r *maintenanceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan maintenanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	endsAt, err := time.Parse(time.RFC3339, plan.EndsAt.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("ends_at"), "Invalid timestamp", err.Error())
		return
	}
	if err := r.store.PutUntil(ctx, maintenanceKey(plan.SiteID.ValueString()), plan.Message.ValueString(), endsAt); err != nil {
		resp.Diagnostics.AddError("Starting maintenance", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *maintenanceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state maintenanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, err := r.store.Get(ctx, maintenanceKey(state.SiteID.ValueString())); errors.Is(err, kvrest.ErrNotFound) {
		resp.State.RemoveResource(ctx)
	} else if err != nil {
		resp.Diagnostics.AddError("Reading maintenance window", err.Error())
	}
}

func (r *maintenanceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan maintenanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	endsAt, err := time.Parse(time.RFC3339, plan.EndsAt.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("ends_at"), "Invalid timestamp", err.Error())
		return
	}
	remaining := time.Until(endsAt)
	if remaining <= 0 {
		resp.Diagnostics.AddAttributeError(path.Root("ends_at"), "Window already over", "ends_at must be in the future")
		return
	}
	if err := r.store.Put(ctx, maintenanceKey(plan.SiteID.ValueString()), plan.Message.ValueString(), remaining); err != nil { // EXPECT kvttl
		resp.Diagnostics.AddError("Extending maintenance", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *maintenanceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state maintenanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.store.Delete(ctx, maintenanceKey(state.SiteID.ValueString())); err != nil {
		resp.Diagnostics.AddError("Ending maintenance", err.Error())
	}
}

// quotaResource sets the monthly request allowance the Worker enforces.
type quotaResource struct{ store *kvrest.Store }

type quotaModel struct {
	SiteID          types.String `tfsdk:"site_id"`
	MonthlyRequests types.Int64  `tfsdk:"monthly_requests"`
}

func newQuotaResource() resource.Resource { return &quotaResource{} }

func (r *quotaResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site_quota"
}

func (r *quotaResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"site_id":          schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"monthly_requests": schema.Int64Attribute{Required: true},
		},
	}
}

func (r *quotaResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func quotaKey(siteID string) string { return "quota/" + siteID + "/monthly-requests" }

func (r *quotaResource) set(ctx context.Context, diags interface{ AddError(string, string) }, m quotaModel) bool {
	err := r.store.Put(ctx, quotaKey(m.SiteID.ValueString()), strconv.FormatInt(m.MonthlyRequests.ValueInt64(), 10), 0) // DEBATABLE kvcounter
	if err != nil {
		diags.AddError("Writing quota", err.Error())
		return false
	}
	return true
}

func (r *quotaResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan quotaModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !resp.Diagnostics.HasError() && r.set(ctx, &resp.Diagnostics, plan) {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	}
}

func (r *quotaResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state quotaModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	raw, err := r.store.Get(ctx, quotaKey(state.SiteID.ValueString()))
	if errors.Is(err, kvrest.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading quota", err.Error())
		return
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		resp.Diagnostics.AddError("Decoding quota", err.Error())
		return
	}
	state.MonthlyRequests = types.Int64Value(n)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *quotaResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan quotaModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !resp.Diagnostics.HasError() && r.set(ctx, &resp.Diagnostics, plan) {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	}
}

func (r *quotaResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state quotaModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if err := r.store.Delete(ctx, quotaKey(state.SiteID.ValueString())); err != nil {
		resp.Diagnostics.AddError("Deleting quota", err.Error())
	}
}
