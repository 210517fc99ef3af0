{#- Contacts: a contact whose account is missing stays valid, as an orphan of the unknown account. -#}
{{ checked_raw_table('contacts') }}
