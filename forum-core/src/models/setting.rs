use diesel::prelude::*;

use crate::db::DbConn;
use crate::error::{CoreError, CoreResult};
use crate::schema::settings;

/// A named value shared by every web process.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = settings)]
pub struct Setting {
    pub name: String,
    pub value: String,
}

impl Setting {
    pub fn get(conn: &mut DbConn, name: &str) -> CoreResult<Option<String>> {
        Ok(settings::table.find(name).select(settings::value).first(conn).optional()?)
    }

    /// Sets `name` to `value`, replacing what was there.
    pub fn put(conn: &mut DbConn, name: &str, value: &str) -> CoreResult<()> {
        let updated =
            diesel::update(settings::table.find(name)).set(settings::value.eq(value)).execute(conn)?;
        if updated == 0 {
            diesel::insert_into(settings::table)
                .values((settings::name.eq(name), settings::value.eq(value)))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Returns the stored value, storing `value` first if there is none. When two processes
    /// race, the first insert wins and both return it.
    pub fn get_or_insert(conn: &mut DbConn, name: &str, value: &str) -> CoreResult<String> {
        if let Some(existing) = Self::get(conn, name)? {
            return Ok(existing);
        }
        let inserted = diesel::insert_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(value)))
            .execute(conn);
        match inserted.map_err(CoreError::from) {
            Ok(_) => Ok(value.to_owned()),
            Err(CoreError::Conflict(_)) => Self::get(conn, name)?.ok_or(CoreError::NotFound),
            Err(e) => Err(e),
        }
    }
}
