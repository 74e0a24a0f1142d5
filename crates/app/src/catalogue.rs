//! The guards of the benefit catalogue (prestazioni and their rule versions).

use crate::{Actor, Error};
use domain::policy::{Action, RecordScope};

/// Proof that the user may read the catalogue and simulate its rules.
pub struct CatalogueAccess(());

/// Proof that the user may change the catalogue.
pub struct CatalogueManageAccess(());

/// Everyone who may see applications, CAF operators (scope `Own`) included.
pub fn catalogue_access(ctx: &Actor) -> Result<CatalogueAccess, Error> {
    ctx.authorize(Action::ApplicationView, RecordScope::Own)?;
    Ok(CatalogueAccess(()))
}

/// The responsabile.
pub fn catalogue_manage_access(ctx: &Actor) -> Result<CatalogueManageAccess, Error> {
    ctx.authorize(Action::CatalogueManage, RecordScope::SameOrg)?;
    Ok(CatalogueManageAccess(()))
}
