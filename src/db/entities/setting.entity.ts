import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Small values the instances share, such as the generated session secret. */
@Entity({ name: 'settings' })
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_settings' })
  key!: string;

  @Column({ type: 'text' })
  value!: string;
}
