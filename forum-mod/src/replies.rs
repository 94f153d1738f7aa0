//! Replies the moderation team can send to someone who may be at risk, written along
//! safe-messaging guidance (#chatsafe, Samaritans): warm, direct about suicide, no judgement,
//! no details of methods, a way to reach help now, and an invitation to keep talking.

/// A reply template: a short name for the moderator, and the text posted.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub key: &'static str,
    pub name: &'static str,
    pub text: &'static str,
}

pub const TEMPLATES: &[Template] = &[
    Template {
        key: "checking_in",
        name: "Checking in",
        text: "Hi, this is the moderation team. We read what you wrote and we're really glad you shared it here. \
It sounds like you are carrying a lot right now, and you don't have to carry it alone.\n\n\
If you are thinking about ending your life, please talk to someone today. Crisis lines are free, confidential \
and there for exactly this, by phone or by text: you can find one for where you are on our [help page](/help).\n\n\
If you feel able to, tell us how you are doing right now. We're here and we're listening.",
    },
    Template {
        key: "immediate_danger",
        name: "Immediate danger",
        text: "Hi, this is the moderation team. We're worried about your safety right now.\n\n\
If you have hurt yourself or feel you might act on these thoughts soon, please call your local emergency number \
now, or go to the nearest emergency department. If you can, ask someone to stay with you.\n\n\
You can also call or text a crisis line at any hour: our [help page](/help) lists them by country. \
You reached out by writing here, and that matters. Please reach out to them too.",
    },
    Template {
        key: "someone_else",
        name: "Someone else is at risk",
        text: "Hi, this is the moderation team. Thank you for looking out for them; it can be frightening to worry about someone.\n\n\
If you think they are in immediate danger and you know where they are, please call the emergency services. \
Otherwise, it helps to ask them directly and calmly whether they are thinking about suicide: asking does not put the idea \
in their head. Crisis lines also support people who are worried about someone else; see our [help page](/help).\n\n\
Please look after yourself too. You're welcome to keep talking here.",
    },
];

pub fn template(key: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_point_to_help_and_avoid_blame() {
        for t in TEMPLATES {
            assert!(t.text.contains("(/help)"), "{}", t.key);
            for word in ["commit suicide", "selfish", "attention", "you should be ashamed"] {
                assert!(!t.text.to_lowercase().contains(word), "{}: {word}", t.key);
            }
            assert_eq!(template(t.key).map(|f| f.name), Some(t.name));
        }
        assert!(template("nope").is_none());
    }
}
