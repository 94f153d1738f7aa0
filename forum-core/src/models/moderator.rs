use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now};
use crate::error::{CoreError, CoreResult};
use crate::ids::ModeratorId;
use crate::schema::moderators;

/// A moderator account. Passwords are stored as argon2id hashes only.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = moderators)]
pub struct Moderator {
    pub id: ModeratorId,
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug)]
pub struct NewModerator<'a> {
    pub name: &'a str,
    pub password: &'a str,
    pub is_admin: bool,
}

/// Minimum password length for moderators.
pub const PASSWORD_MIN: usize = 10;

impl NewModerator<'_> {
    pub fn insert(self, conn: &mut DbConn) -> CoreResult<Moderator> {
        let name = self.name.trim();
        let name_ok = (2..=40).contains(&name.chars().count())
            && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.');
        if !name_ok {
            return Err(CoreError::Invalid(
                "a moderator name has 2 to 40 letters, digits, '.', '_' or '-'".into(),
            ));
        }
        if self.password.chars().count() < PASSWORD_MIN {
            return Err(CoreError::Invalid(format!("a password has at least {PASSWORD_MIN} characters")));
        }
        let password_hash = hash_password(self.password)?;
        diesel::insert_into(moderators::table)
            .values((
                moderators::name.eq(name),
                moderators::password_hash.eq(password_hash),
                moderators::is_admin.eq(self.is_admin),
                moderators::created_at.eq(now()),
            ))
            .get_result(conn)
            .map_err(|e| match CoreError::from(e) {
                CoreError::Conflict(_) => CoreError::Conflict("a moderator with this name"),
                other => other,
            })
    }
}

impl Moderator {
    pub fn by_id(conn: &mut DbConn, id: ModeratorId) -> CoreResult<Moderator> {
        Ok(moderators::table.find(id).first(conn)?)
    }

    pub fn by_name(conn: &mut DbConn, name: &str) -> CoreResult<Option<Moderator>> {
        Ok(moderators::table.filter(moderators::name.eq(name.trim())).first(conn).optional()?)
    }

    pub fn all(conn: &mut DbConn) -> CoreResult<Vec<Moderator>> {
        Ok(moderators::table.order(moderators::name).load(conn)?)
    }

    /// Whether `password` is this moderator's. Takes the same time whether or not it is.
    pub fn check_password(&self, password: &str) -> bool {
        verify_password(&self.password_hash, password)
    }
}

fn hash_password(password: &str) -> CoreResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| CoreError::Invalid(format!("cannot hash the password: {e}")))
}

fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// Spends the time of one password check, so that an unknown name answers as slowly as a
/// wrong password.
pub fn burn_password_check(password: &str) {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("not a real password").unwrap_or_default());
    let _ = verify_password(&DUMMY, password);
}

impl Moderator {
    pub fn set_disabled(conn: &mut DbConn, id: ModeratorId, disabled: bool) -> CoreResult<Moderator> {
        Ok(diesel::update(moderators::table.find(id))
            .set(moderators::disabled.eq(disabled))
            .get_result(conn)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "wrong horse battery"));
        assert!(!verify_password("not a hash", "x"));
    }
}
